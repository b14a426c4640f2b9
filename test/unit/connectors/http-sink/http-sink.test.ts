import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSink } from '../../../../src/connectors/http-sink/sink.js';
import { encodeSinkBatch, type EncodableRecord } from '../../../../src/sink/event.js';
import { runSink } from '../../../../src/sink/run.js';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}
type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => unknown;
let handler: Handler = (_req, _b, res) => res.writeHead(204).end();
let server: Server;
let url: string;
let seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ url: req.url!, headers: req.headers, body, at: Date.now() });
      void handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
);

function rec(offset: number, payload: unknown, extra: Partial<EncodableRecord> = {}): EncodableRecord {
  return {
    topic: '/default/orders-part-0',
    offset: BigInt(offset),
    publishTime: 1_763_800_000_000 + offset,
    producerName: 'p',
    attributes: { 'content-type': 'application/json', tenant: 't1' },
    payload: new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload)),
    ...extra,
  };
}
const event = (records: EncodableRecord[]) => encodeSinkBatch(records, { binding: 'b', topic: '/default/orders', subscription: 's' });
const bodyOf = (r: { body: string }) => JSON.parse(r.body);

describe('http sink', () => {
  it('POSTs each record with metadata headers, chosen attributes and an idempotency key', async () => {
    seen = [];
    handler = (_q, _b, res) => res.writeHead(200).end('ok');
    const sink = httpSink({ url, headers: { authorization: 'Bearer t' }, attributeHeaders: { tenant: 'x-tenant' } });
    const out = await runSink(sink, event([rec(1, { n: 1 }, { routingKey: 'k1' }), rec(2, { n: 2 })]));
    expect(out.status).toBe('success');
    expect(seen.map(bodyOf).sort((a, b) => a.n - b.n)).toEqual([{ n: 1 }, { n: 2 }]);
    const h = seen.find((s) => bodyOf(s).n === 1)!.headers;
    expect(h).toMatchObject({
      authorization: 'Bearer t',
      'x-tenant': 't1',
      'idempotency-key': '/default/orders-part-0@1',
      'x-danube-topic': '/default/orders',
      'x-danube-offset': '1',
      'x-danube-publish-time': '1763800000001',
      'x-danube-key': 'k1',
      'content-type': 'application/json',
    });
  });

  it('reports per record: 400/404/422 invalid, 429/503 retryable after retries, the rest succeed', async () => {
    seen = [];
    const status: Record<number, number> = { 1: 200, 2: 400, 3: 404, 4: 422, 5: 503, 6: 201 };
    handler = (_q, body, res) => {
      const n = JSON.parse(body).n as number;
      res.writeHead(status[n]!, n === 5 ? { 'retry-after': '0' } : {}).end(`status for ${n}`);
    };
    const sink = httpSink({ url, maxAttempts: 2, initialBackoffMs: 1 });
    const out = await runSink(sink, event([1, 2, 3, 4, 5, 6].map((n) => rec(n, { n }))));
    expect(out.status).toBe('partial');
    const reasons = Object.fromEntries(out.failures.map((f) => [f.itemIdentifier.split('@')[1], f.reason]));
    expect(reasons).toEqual({ 2: 'invalid', 3: 'invalid', 4: 'invalid', 5: 'retryable' });
    expect(out.failures.find((f) => f.itemIdentifier.endsWith('@4'))!.message).toMatch(/422: status for 4/);
    expect(seen.filter((s) => bodyOf(s).n === 5)).toHaveLength(2); // retried once
    expect(seen.filter((s) => bodyOf(s).n === 2)).toHaveLength(1); // never retried
  });

  it('honours Retry-After on 429 before the retry', async () => {
    seen = [];
    let calls = 0;
    handler = (_q, _b, res) => (++calls === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(200).end());
    const out = await runSink(httpSink({ url, initialBackoffMs: 1 }), event([rec(1, { n: 1 })]));
    expect(out.status).toBe('success');
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('fails the whole batch on 401/403 (fatal) so the binding stops', async () => {
    handler = (_q, _b, res) => res.writeHead(403).end('forbidden');
    const out = await runSink(httpSink({ url }), event([rec(1, { n: 1 }), rec(2, { n: 2 })]));
    expect(out.status).toBe('failed');
    expect(out.error?.kind).toBe('fatal');
  });

  it('times out slow requests as retryable, and reports an unreachable endpoint as retryable', async () => {
    handler = () => {}; // never answers
    const slow = await runSink(httpSink({ url, timeoutMs: 200, maxAttempts: 1 }), event([rec(1, { n: 1 })]));
    expect(slow.failures).toEqual([expect.objectContaining({ reason: 'retryable', message: expect.stringMatching(/no answer within 200 ms/) })]);
    const down = await runSink(httpSink({ url: 'http://127.0.0.1:1/x', maxAttempts: 1 }), event([rec(1, { n: 1 })]));
    expect(down.failures).toEqual([expect.objectContaining({ reason: 'retryable' })]);
  });

  it('keeps per-key order under concurrency, and stops a key at its first failure', async () => {
    seen = [];
    handler = async (_q, body, res) => {
      const { k, i } = JSON.parse(body);
      await new Promise((r) => setTimeout(r, k === 'a' ? 15 - i * 4 : 1));
      res.writeHead(k === 'b' && i === 1 ? 503 : 200).end();
    };
    const records = [0, 1, 2, 3].flatMap((i) => ['a', 'b'].map((k) => rec(i * 2 + (k === 'b' ? 1 : 0), { k, i }, { routingKey: k })));
    const out = await runSink(httpSink({ url, ordering: 'key', concurrency: 4, maxAttempts: 1 }), event(records));
    expect(seen.filter((s) => bodyOf(s).k === 'a').map((s) => bodyOf(s).i)).toEqual([0, 1, 2, 3]);
    expect(seen.filter((s) => bodyOf(s).k === 'b').map((s) => bodyOf(s).i)).toEqual([0, 1]);
    expect(out.failures.map((f) => f.itemIdentifier)).toEqual(['/default/orders-part-0@3', '/default/orders-part-0@5', '/default/orders-part-0@7']);
  });

  it('sends the batch as one JSON array and bisects a 422 down to the bad record', async () => {
    seen = [];
    handler = (_q, body, res) => {
      const items = JSON.parse(body) as { value: { bad?: boolean } }[];
      res.writeHead(items.some((x) => x.value?.bad) ? 422 : 200).end();
    };
    const records = [1, 2, 3, 4, 5].map((n) => rec(n, n === 4 ? { n, bad: true } : { n }));
    records.push(rec(6, 'not json'));
    const out = await runSink(httpSink({ url, mode: 'batch', batchFormat: 'envelopes' }), event(records));
    expect(out.failures).toEqual([expect.objectContaining({ itemIdentifier: '/default/orders-part-0@4', reason: 'invalid' })]);
    const first = bodyOf(seen[0]!);
    expect(first).toHaveLength(6);
    expect(first[5]).toMatchObject({ id: '/default/orders-part-0@6', payloadBase64: Buffer.from('not json').toString('base64') });
    expect(seen[0]!.headers['idempotency-key']).toBe('/default/orders-part-0@1+6');
  });

  it('in batch mode reads a partial-batch answer from the endpoint', async () => {
    handler = (_q, _b, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ batchItemFailures: [{ itemIdentifier: '/default/orders-part-0@2' }] }));
    const out = await runSink(httpSink({ url, mode: 'batch', batchFormat: 'payloads' }), event([rec(1, { n: 1 }), rec(2, { n: 2 }), rec(3, 'x')]));
    expect(out.failures.map((f) => [f.itemIdentifier, f.reason])).toEqual([
      ['/default/orders-part-0@3', 'invalid'],
      ['/default/orders-part-0@2', 'retryable'],
    ]);
  });

  it('rejects unknown option keys by name', () => {
    expect(() => httpSink({ url, concurency: 3 } as never)).toThrow(/concurency: unknown key/);
  });
});
