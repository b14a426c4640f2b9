import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../../../../src/checkpoint/memory-store.js';
import { httpPollerSource } from '../../../../src/connectors/http-poller/source.js';
import { runSource } from '../../../../src/source/runner.js';
import { harness, quiet, receiveN, text, type Harness } from '../../client/helpers.js';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;
let handler: Handler;
let server: Server;
let base: string;
let h: Harness;

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res, new URL(req.url!, base)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  h = await harness();
});
afterAll(async () => {
  await h?.close();
  await new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
});

/** A loopback URL where nothing listens (a port just freed). */
async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

async function subscribe(topic: string) {
  // A new subscription starts at the latest message: create the topic and subscribe first.
  const p = await h.client.createProducer({ topic, name: 'setup', dispatch: 'reliable' });
  await p.close();
  return h.client.subscribe({ topic, subscription: 'check', type: 'exclusive' });
}

describe('http poller source through runSource and the embedded broker', () => {
  it('publishes every page once across runs, keyed and with item ids, and resumes after new items appear', async () => {
    const items = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, customer: `c${i % 2}` }));
    let auth: string | undefined;
    handler = (req, res, url) => {
      auth = req.headers.authorization;
      const page = Number(url.searchParams.get('page') ?? '1');
      const slice = items.slice((page - 1) * 3, page * 3);
      const more = page * 3 < items.length;
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(more ? { link: `<${base}/items?page=${page + 1}>; rel="next"` } : {}),
        etag: `"${page}-${slice.length}"`,
      });
      res.end(JSON.stringify({ data: slice }));
    };
    const topic = '/default/poller-items';
    const consumer = await subscribe(topic);
    const store = new MemoryCheckpointStore();
    const source = httpPollerSource({
      name: 'items',
      topic,
      url: `${base}/items`,
      itemsPath: '$.data',
      idField: 'id',
      keyField: 'customer',
      cursor: { type: 'link' },
      headers: { authorization: 'Bearer abc' },
    });
    const first = await runSource(source, { client: h.client, store, budgetMs: 10_000 });
    expect(first).toMatchObject({ stopReason: 'done', recordsPublished: 7 });
    expect(auth).toBe('Bearer abc');
    const got = await receiveN(consumer, 7);
    expect(got.map((m) => JSON.parse(text(m)!).id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(got[0]!.attributes['x-danube-record-id']).toBe('items:1');
    expect(got[0]!.routingKey).toBe('c0');
    // A second run: the last page has not changed (304 via ETag) → nothing published.
    const second = await runSource(source, { client: h.client, store, budgetMs: 10_000 });
    expect(second.recordsPublished).toBe(0);
    expect(await quiet(consumer, 200)).toBeUndefined();
    // Two new items: the last page grows and a new page appears.
    items.push({ id: 8, customer: 'c1' }, { id: 9, customer: 'c0' }, { id: 10, customer: 'c1' });
    const third = await runSource(source, { client: h.client, store, budgetMs: 10_000 });
    expect(third.recordsPublished).toBe(3);
    expect((await receiveN(consumer, 3)).map((m) => JSON.parse(text(m)!).id)).toEqual([8, 9, 10]);
    await consumer.close();
  });

  it('on 429 stops the run without publishing and keeps the checkpoint', async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls++;
      res.writeHead(429, { 'retry-after': '60' }).end();
    };
    const store = new MemoryCheckpointStore();
    const source = httpPollerSource({ name: 'limited', topic: '/default/poller-limited', url: `${base}/x` });
    const run = await runSource(source, { client: h.client, store, budgetMs: 5_000 });
    expect(run).toMatchObject({ stopReason: 'done', recordsPublished: 0 });
    expect((run.checkpointAfter as { notBefore: number }).notBefore).toBeGreaterThan(Date.now() + 50_000);
    await runSource(source, { client: h.client, store, budgetMs: 5_000 });
    expect(calls).toBe(1); // the second run waited for Retry-After
  });

  it('fails the run on 401, and on an unreachable API after its retries, publishing nothing', async () => {
    handler = (_req, res) => res.writeHead(401).end('bad token');
    const store = new MemoryCheckpointStore();
    const denied = httpPollerSource({ name: 'denied', topic: '/default/poller-denied', url: `${base}/x` });
    await expect(runSource(denied, { client: h.client, store, budgetMs: 5_000 })).rejects.toThrow(/401/);
    const down = httpPollerSource({ name: 'down', topic: '/default/poller-down', url: `${await closedPortUrl()}/x`, requestTimeoutMs: 200 });
    const err = await runSource(down, { client: h.client, store, budgetMs: 5_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: expect.stringMatching(/failed/), summary: { recordsPublished: 0, checkpointAfter: undefined } });
  });
});
