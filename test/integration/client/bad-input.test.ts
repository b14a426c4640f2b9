import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientClosedError,
  ConnectionError,
  DanubeClient,
  InvalidOptionsError,
  InvalidTopicError,
  MessageTooLargeError,
  TimeoutError,
  TopicNotFoundError,
} from '../../../src/client/index.js';
import { FAST, harness, type Harness, TRANSPORTS } from './helpers.js';

// Every test here runs once per transport of the hot calls (SendMessage, Ack, Nack, ReceiveMessages).
describe.each(TRANSPORTS)('%s transport', (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({}, { transport });
  });
  afterAll(async () => h.close());

  describe('bad input fails fast with typed errors', () => {
    it.each(['default/orders', '/default/or.ders', '/default/a/b', '/default/', 'orders'])('rejects topic %j before any call', async (topic) => {
      await expect(h.client.createProducer({ topic, name: 'p' })).rejects.toBeInstanceOf(InvalidTopicError);
      await expect(h.client.subscribe({ topic, subscription: 's' })).rejects.toBeInstanceOf(InvalidTopicError);
    });

    it('rejects a misspelt option by name', async () => {
      await expect(h.client.createProducer({ topic: '/default/x', name: 'p', partitons: 2 } as never)).rejects.toThrow(InvalidOptionsError);
    });

    it('rejects a payload over 4 MiB without sending it, and still sends one just under', async () => {
      const producer = await h.client.createProducer({ topic: '/default/big', name: 'p' });
      const err = await producer.send(new Uint8Array(4 * 1024 * 1024 + 1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MessageTooLargeError);
      expect(err).toMatchObject({ topic: '/default/big', retryable: false });
      await expect(producer.send(new Uint8Array(4 * 1024 * 1024 - 4096))).resolves.toMatchObject({ topic: '/default/big' });
    });

    it('gives TopicNotFoundError when subscribing to a topic that does not exist', async () => {
      await expect(h.client.subscribe({ topic: '/default/never-created', subscription: 's' })).rejects.toBeInstanceOf(TopicNotFoundError);
    });

    it('gives ClientClosedError for every operation on a closed client (close is safe twice)', async () => {
      const c = h.newClient();
      const producer = await c.createProducer({ topic: '/default/closing', name: 'p' });
      const consumer = await c.subscribe({ topic: '/default/closing', subscription: 's' });
      const iterating = (async () => {
        for await (const _ of consumer) void _;
        return 'ended';
      })();
      await c.close();
      await c.close();
      await expect(iterating).resolves.toBe('ended');
      await expect(producer.send('x')).rejects.toBeInstanceOf(ClientClosedError);
      await expect(c.createProducer({ topic: '/default/closing', name: 'q' })).rejects.toBeInstanceOf(ClientClosedError);
      await expect(c.subscribe({ topic: '/default/closing', subscription: 's' })).rejects.toBeInstanceOf(ClientClosedError);
      await expect(c.schemaRegistry.listSubjects()).rejects.toBeInstanceOf(ClientClosedError);
    });
  });

  describe('unreachable brokers', () => {
    it('gives ConnectionError quickly when nothing listens on the port', async () => {
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      const port = (probe.address() as { port: number }).port;
      await new Promise((r) => probe.close(r));
      const c = new DanubeClient({ serviceUrl: `http://127.0.0.1:${port}`, ...FAST, transport });
      const started = Date.now();
      const err = await c.createProducer({ topic: '/default/t', name: 'p' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as ConnectionError).message).toMatch(/create producer on \/default\/t failed \(UNAVAILABLE\)/);
      expect(Date.now() - started).toBeLessThan(5_000);
      await c.close();
    });

    it('bounds a send by sendTimeoutMs when the broker goes away', async () => {
      const own = await harness({}, { transport });
      const producer = await own.client.createProducer({ topic: '/default/t', name: 'p', sendTimeoutMs: 600 });
      await own.broker.close();
      const started = Date.now();
      const err = await producer.send('x').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as TimeoutError).topic).toBe('/default/t');
      expect(Date.now() - started).toBeLessThan(5_000);
      await own.close();
    });

    describe('a broker that accepts TCP but never answers', () => {
      let silent: Server;
      const sockets: Socket[] = [];
      beforeAll(async () => {
        silent = createServer((s) => sockets.push(s));
        await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      });
      afterAll(async () => {
        for (const s of sockets) s.destroy();
        await new Promise((r) => silent.close(r));
      });

      it('gives TimeoutError bounded by connectTimeoutMs', async () => {
        const c = new DanubeClient({
          serviceUrl: `http://127.0.0.1:${(silent.address() as { port: number }).port}`,
          ...FAST,
          transport,
          connectTimeoutMs: 600,
        });
        const started = Date.now();
        const err = await c.subscribe({ topic: '/default/t', subscription: 's' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TimeoutError);
        const elapsed = Date.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(500);
        expect(elapsed).toBeLessThan(4_000);
        await c.close();
      });
    });
  });
});
