import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, status } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { signBrokerToken, startBroker } from '../../../src/broker/index.js';
import { Wire } from './harness.js';

const SECRET = 'test-secret';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('JWT authentication', () => {
  it('requires a valid HS256 bearer token on every call, with the real broker’s messages', async () => {
    const broker = await startBroker({ port: 0, auth: { jwtSecret: SECRET, superAdmins: ['relay'] } });
    const anon = new Wire(broker.url);
    const bad = new Wire(broker.url).withToken(signBrokerToken('other-secret', { sub: 'x' }));
    const expired = new Wire(broker.url).withToken(signBrokerToken(SECRET, { sub: 'x', exp: Math.floor(Date.now() / 1000) - 3600 }));
    const good = new Wire(broker.url).withToken(signBrokerToken(SECRET, { sub: 'relay' }));
    try {
      await expect(anon.partitions('/default/t')).rejects.toMatchObject({
        code: status.UNAUTHENTICATED,
        details: 'Authentication credentials are missing',
      });
      await expect(anon.healthCheck(0, 1n)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
      await expect(bad.createProducer('/default/t', 'p')).rejects.toMatchObject({ code: status.UNAUTHENTICATED, details: 'Invalid token' });
      await expect(expired.createProducer('/default/t', 'p')).rejects.toMatchObject({ code: status.UNAUTHENTICATED, details: 'Invalid token' });
      const pid = await good.createProducer('/default/t', 'p');
      await good.send(pid, '/default/t', 'ok');
      const rx = anon.receive(1n);
      await rx.waitEnd();
      expect(rx.error?.code).toBe(status.UNAUTHENTICATED);
    } finally {
      [anon, bad, expired, good].forEach((w) => w.close());
      await broker.close();
    }
  });
});

describe('TLS', () => {
  it('serves https:// URLs that a client trusting the certificate can use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'broker-tls-'));
    dirs.push(dir);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    const broker = await startBroker({ port: 0, tls: { cert, key: readFileSync(join(dir, 'key.pem')) } });
    const wire = new Wire(broker.url, credentials.createSsl(cert));
    const plain = new Wire(broker.url, credentials.createInsecure());
    try {
      expect(broker.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      await wire.createProducer('/default/tls', 'p');
      expect((await wire.lookup('/default/tls')).brokerUrl).toBe(broker.url);
      await expect(plain.partitions('/default/tls')).rejects.toMatchObject({ code: status.UNAVAILABLE });
    } finally {
      wire.close();
      plain.close();
      await broker.close();
    }
  });
});
