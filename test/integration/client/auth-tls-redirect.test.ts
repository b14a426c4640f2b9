import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBrokerToken, startBroker, type Broker } from '../../../src/broker/index.js';
import { ConnectionError, DanubeClient, UnauthenticatedError } from '../../../src/client/index.js';
import { FAST, receiveN, text, TRANSPORTS } from './helpers.js';

// Every test here runs once per transport of the hot calls (SendMessage, Ack, Nack, ReceiveMessages).
describe.each(TRANSPORTS)('%s transport', (transport) => {
  const fixture = (name: string) => readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', name), 'utf8');
  const SECRET = 'test-secret-for-jwt';

  describe('JWT authentication', () => {
    let broker: Broker;
    const clients: DanubeClient[] = [];
    const client = (extra: Partial<ConstructorParameters<typeof DanubeClient>[0]>) => {
      const c = new DanubeClient({ serviceUrl: broker.url, ...FAST, transport, ...extra });
      clients.push(c);
      return c;
    };
    beforeAll(async () => {
      broker = await startBroker({ port: 0, auth: { jwtSecret: SECRET, superAdmins: ['orders-app', 'rotating'] } });
    });
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await broker.close();
    });

    it('works with a valid token on every call (lookup, create, send, subscribe, receive, ack, health)', async () => {
      const c = client({ token: signBrokerToken(SECRET, { sub: 'orders-app' }) });
      const producer = await c.createProducer({ topic: '/default/secured', name: 'p', dispatch: 'reliable' });
      const consumer = await c.subscribe({ topic: '/default/secured', subscription: 's' });
      await producer.send('secret');
      expect((await receiveN(consumer, 1)).map(text)).toEqual(['secret']);
      // Health checks carry the token too: nothing is recreated after a few rounds.
      await new Promise((r) => setTimeout(r, 500));
      await producer.send('still fine');
      expect((await receiveN(consumer, 1)).map(text)).toEqual(['still fine']);
    });

    it('asks a token supplier before calls', async () => {
      let calls = 0;
      const c = client({ tokenSupplier: async () => (calls++, signBrokerToken(SECRET, { sub: 'rotating' })) });
      const producer = await c.createProducer({ topic: '/default/secured-2', name: 'p' });
      await producer.send('x');
      expect(calls).toBeGreaterThanOrEqual(3);
    });

    it('rejects a missing token with UnauthenticatedError, quickly', async () => {
      const started = Date.now();
      const err = await client({})
        .createProducer({ topic: '/default/secured', name: 'anon' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnauthenticatedError);
      expect((err as UnauthenticatedError).retryable).toBe(false);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('rejects a token signed with the wrong secret', async () => {
      const bad = client({ token: signBrokerToken('not-the-secret', { sub: 'mallory' }) });
      await expect(bad.subscribe({ topic: '/default/secured', subscription: 's' })).rejects.toBeInstanceOf(UnauthenticatedError);
      await expect(bad.schemaRegistry.listSubjects()).rejects.toBeInstanceOf(UnauthenticatedError);
    });
  });

  describe('TLS', () => {
    let broker: Broker;
    beforeAll(async () => {
      broker = await startBroker({ port: 0, tls: { cert: fixture('server.pem'), key: fixture('server.key') } });
    });
    afterAll(async () => broker.close());

    it('connects over TLS with the CA, and with a client certificate', async () => {
      expect(broker.url).toMatch(/^https:/);
      for (const tls of [{ ca: fixture('ca.pem') }, { ca: fixture('ca.pem'), cert: fixture('client.pem'), key: fixture('client.key') }]) {
        const c = new DanubeClient({ serviceUrl: broker.url, ...FAST, transport, tls });
        const producer = await c.createProducer({ topic: '/default/tls', name: 'p' });
        await expect(producer.send('over tls')).resolves.toMatchObject({ topic: '/default/tls' });
        await c.close();
      }
    });

    it('fails with a typed error when the broker certificate is not trusted', async () => {
      const c = new DanubeClient({
        serviceUrl: broker.url,
        ...FAST,
        transport,
        retry: { maxRetries: 1, baseBackoffMs: 10, maxBackoffMs: 20 },
        tls: { ca: fixture('other-ca.pem') },
      });
      await expect(c.createProducer({ topic: '/default/tls', name: 'p' })).rejects.toBeInstanceOf(ConnectionError);
      await c.close();
    });
  });

  describe('lookup redirect between two brokers', () => {
    let cluster: Broker;
    beforeAll(async () => {
      cluster = await startBroker({ port: 0, brokers: 2 });
    });
    afterAll(async () => cluster.close());

    it('follows the redirect to the owning broker and keeps one channel per broker URL', async () => {
      const c = new DanubeClient({ serviceUrl: cluster.urls[0]!, ...FAST, transport });
      // Topics are assigned round-robin; with 4 partitions both brokers own some.
      const producer = await c.createProducer({ topic: '/default/spread', name: 'p', partitions: 4, dispatch: 'reliable' });
      const consumer = await c.subscribe({ topic: '/default/spread', subscription: 's' });
      expect(c.channelCount).toBe(2);
      for (let i = 0; i < 8; i++) await producer.send(`m${i}`);
      const got = await receiveN(consumer, 8);
      expect(got.map(text).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `m${i}`).sort());
      const owners = new Set(got.map((m) => m.msgId.brokerAddr));
      expect(owners).toEqual(new Set(cluster.urls));
      await c.close();
    });
  });
});
