// The HTTP sink behind the real relay: records flow broker → relay → sink → local HTTP server;
// a 422 record ends on the dead-letter topic, a 503 record is retried until it succeeds.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSink } from '../../../../src/connectors/http-sink/index.js';
import { startRelay, type RelayConfigInput } from '../../../../src/relay/index.js';
import { harness, receiveN, text, type Harness } from '../../client/helpers.js';

let h: Harness;
let server: Server;
let url: string;
const delivered: { n: number; key: string | undefined; idem: string | undefined }[] = [];
let flakyCalls = 0;

beforeAll(async () => {
  h = await harness();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const item = JSON.parse(body) as { n: number; bad?: boolean; flaky?: boolean };
      if (item.bad) return void res.writeHead(422).end('amount must be positive');
      if (item.flaky && ++flakyCalls <= 2) return void res.writeHead(503, { 'retry-after': '0' }).end();
      delivered.push({ n: item.n, key: req.headers['x-danube-key'] as string | undefined, idem: req.headers['idempotency-key'] as string | undefined });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
});
afterAll(async () => {
  await new Promise<void>((r) => {
    server?.closeAllConnections();
    server?.close(() => r());
  });
  await h?.close();
});

describe('http sink behind the relay', () => {
  it('delivers good records, retries a 503 until it passes, dead-letters a 422', async () => {
    const topic = '/default/hs-orders';
    const dlqTopic = '/default/hs-orders-dlq';
    const producer = await h.client.createProducer({ topic, name: 'shop', dispatch: 'reliable' });
    const dlqSetup = await h.client.createProducer({ topic: dlqTopic, name: 'setup', dispatch: 'reliable' });
    await dlqSetup.close();
    const dlq = await h.client.subscribe({ topic: dlqTopic, subscription: 'check', type: 'exclusive' });
    const binding = {
      name: 'orders-http',
      topic,
      subscription: { name: 'orders-http' },
      function: { type: 'local', module: 'in-process' },
      batchSize: 10,
      maxBatchingWindowMs: 50,
      maxRetryAttempts: 5,
      retryBackoff: { initialDelayMs: 20, maxDelayMs: 100 },
      deadLetterTopic: dlqTopic,
    } as RelayConfigInput['bindings'][number];
    const relay = await startRelay({ bindings: [binding] }, { client: h.client, sinks: { 'orders-http': httpSink({ url, maxAttempts: 1, ordering: 'key' }) } });
    try {
      for (let n = 0; n < 8; n++) {
        const payload = { n, ...(n === 3 ? { bad: true } : {}), ...(n === 5 ? { flaky: true } : {}) };
        await producer.send(JSON.stringify(payload), { key: `k${n % 2}`, attributes: { 'content-type': 'application/json' } });
      }
      const [dead] = await receiveN(dlq, 1, { timeoutMs: 10_000 });
      expect(JSON.parse(text(dead)!)).toMatchObject({ n: 3, bad: true });
      expect(dead!.attributes['x-dlq-reason']).toBeDefined();
      expect(dead!.attributes['x-dlq-error']).toMatch(/422/);
      const until = Date.now() + 10_000;
      while (new Set(delivered.map((d) => d.n)).size < 7 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect([...new Set(delivered.map((d) => d.n))].sort()).toEqual([0, 1, 2, 4, 5, 6, 7]);
      expect(flakyCalls).toBeGreaterThanOrEqual(3);
      expect(delivered.find((d) => d.n === 0)).toMatchObject({ key: 'k0', idem: '/default/hs-orders@0' });
      // Per key, first deliveries arrive in offset order.
      const firsts = (k: string) => [...new Set(delivered.filter((d) => d.key === k).map((d) => d.n))];
      expect(firsts('k0')).toEqual([0, 2, 4, 6]);
      expect(firsts('k1')).toEqual([1, 5, 7]);
    } finally {
      await relay.close();
      await producer.close();
      await dlq.close();
    }
  });
});
