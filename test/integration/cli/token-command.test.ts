// `danube-connect token` mints a token the embedded broker started with --jwt-secret accepts, for
// the client and the admin commands alike; a token signed with another secret is refused.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { silentLogger } from '../../../src/core/logger.js';

let broker: Broker;

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/danube-connect.mjs', ...args],
      { env: { ...process.env, DANUBE_JWT_SECRET: '', ...env }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  broker = await startBroker({ port: 0, logger: silentLogger, auth: { jwtSecret: 's3cret', superAdmins: ['admin'] } });
});
afterAll(async () => {
  await broker?.close();
});

it('mints a token the broker accepts; one from another secret is refused', async () => {
  const minted = await cli(['token', '--secret', 's3cret', '--sub', 'admin', '--ttl', '10m']);
  expect(minted.code, minted.stderr).toBe(0);
  const token = minted.stdout.trim();
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; exp: number };
  expect(claims.sub).toBe('admin');
  expect(claims.exp - Date.now() / 1000).toBeGreaterThan(590);
  expect(claims.exp - Date.now() / 1000).toBeLessThanOrEqual(600);

  const client = new DanubeClient({ serviceUrl: broker.url, token, logger: silentLogger });
  try {
    const producer = await client.createProducer({ topic: '/default/token-check', name: 'p', dispatch: 'reliable' });
    await producer.send('ok');
    await producer.close();
  } finally {
    await client.close();
  }
  const listed = await cli(['topics', 'list', 'default', '--json'], { DANUBE_ADMIN_URL: broker.adminUrl, DANUBE_ADMIN_TOKEN: token });
  expect(listed.code, listed.stderr).toBe(0);
  expect(JSON.parse(listed.stdout).map((t: { name: string }) => t.name)).toContain('/default/token-check');

  const wrong = (await cli(['token', '--sub', 'admin'], { DANUBE_JWT_SECRET: 'other' })).stdout.trim();
  const refused = await cli(['topics', 'list', 'default'], { DANUBE_ADMIN_URL: broker.adminUrl, DANUBE_ADMIN_TOKEN: wrong });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/UNAUTHENTICATED/);

  expect((await cli(['token'])).code).toBe(2);
  expect((await cli(['token', '--secret', 's', '--ttl', 'soon'])).stderr).toMatch(/--ttl must look like 30m, 12h or 7d/);
});
