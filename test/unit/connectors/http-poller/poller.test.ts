import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FatalError, RetryableError } from '../../../../src/core/errors.js';
import { HttpPoller } from '../../../../src/connectors/http-poller/poller.js';
import { nextLink, parseRetryAfter } from '../../../../src/connectors/http-poller/http-headers.js';
import { getAtPath, parseJsonPath } from '../../../../src/connectors/http-poller/json-path.js';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;
let handler: Handler = (_req, res) => res.end('[]');
let server: Server;
let base: string;
const seenRequests: { url: URL; headers: IncomingMessage['headers'] }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, base);
    seenRequests.push({ url, headers: req.headers });
    handler(req, res, url);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function json(res: ServerResponse, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
const payloads = (records: { payload: Uint8Array }[]) => records.map((r) => JSON.parse(new TextDecoder().decode(r.payload)));

describe('helpers', () => {
  it('parses JSON paths and reads values', () => {
    expect(parseJsonPath('$.data.items[0].id')).toEqual(['data', 'items', 0, 'id']);
    expect(parseJsonPath('meta["next-page"]')).toEqual(['meta', 'next-page']);
    expect(getAtPath({ a: [{ b: 2 }] }, parseJsonPath('a[0].b'))).toBe(2);
    expect(() => parseJsonPath('$..x')).toThrow(/bad JSON path/);
  });
  it('reads Retry-After and Link rel=next', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(nextLink('<https://x/a?p=1>; rel="prev", <https://x/a?p=3,4>; rel="next"', 'https://x/a')).toBe('https://x/a?p=3,4');
    expect(nextLink('</items?page=2>; rel=next', 'http://h/items')).toBe('http://h/items?page=2');
  });
});

describe('HttpPoller', () => {
  it('follows Link rel=next, then stays on the last page with its ETag and publishes only new items', async () => {
    const pages: Record<string, { items: { id: number; cust: string }[]; next?: string }> = {
      '1': {
        items: [
          { id: 1, cust: 'a' },
          { id: 2, cust: 'b' },
        ],
        next: '2',
      },
      '2': { items: [{ id: 3, cust: 'a' }] },
    };
    handler = (req, res, url) => {
      const page = url.searchParams.get('page') ?? '1';
      const p = pages[page]!;
      const etag = `"p${page}-${p.items.length}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      json(res, { data: p.items }, { etag, ...(p.next ? { link: `</items?page=${p.next}>; rel="next"` } : {}) });
    };
    const poller = new HttpPoller({
      name: 't',
      topic: '/default/t',
      url: `${base}/items`,
      itemsPath: '$.data',
      idField: 'id',
      keyField: 'cust',
      cursor: { type: 'link' },
      headers: { authorization: 'Bearer s3cret' },
    });
    const first = await poller.poll(undefined);
    expect(first.done).toBe(false);
    expect(payloads(first.records).map((i) => i.id)).toEqual([1, 2]);
    expect(first.records[0]!.key).toBe('a');
    expect(first.records[1]!.attributes['x-danube-record-id']).toBe('t:2');
    expect(seenRequests.at(-1)!.headers.authorization).toBe('Bearer s3cret');
    const second = await poller.poll(first.checkpoint);
    expect(second.done).toBe(true);
    expect(second.checkpoint.next).toBe(`${base}/items?page=2`);
    expect(second.checkpoint.etag).toBe('"p2-1"');
    // Nothing changed: 304, no records, same place.
    const third = await poller.poll(second.checkpoint);
    expect(seenRequests.at(-1)!.headers['if-none-match']).toBe('"p2-1"');
    expect(third).toMatchObject({ records: [], done: true });
    // An item is appended to the last page: only it is published.
    pages['2']!.items.push({ id: 4, cust: 'c' });
    const fourth = await poller.poll(third.checkpoint);
    expect(payloads(fourth.records).map((i) => i.id)).toEqual([4]);
  });

  it('takes a cursor token from a response field into a query parameter', async () => {
    handler = (_req, res, url) => {
      const cursor = url.searchParams.get('cursor');
      if (!cursor) return json(res, { items: [{ n: 1 }], next_cursor: 'c2' });
      if (cursor === 'c2') return json(res, { items: [{ n: 2 }], next_cursor: null });
      json(res, { items: [] });
    };
    const poller = new HttpPoller({
      name: 't',
      topic: '/default/t',
      url: `${base}/feed`,
      itemsPath: 'items',
      cursor: { type: 'field', path: 'next_cursor', param: 'cursor' },
    });
    const a = await poller.poll(undefined);
    expect(a.checkpoint.cursor).toBe('c2');
    const b = await poller.poll(a.checkpoint);
    expect(payloads(b.records)).toEqual([{ n: 2 }]);
    expect(b).toMatchObject({ done: true, checkpoint: { cursor: 'c2' } });
  });

  it('uses the last item field as the next "since" parameter', async () => {
    const all = [
      { id: 'a', t: 1 },
      { id: 'b', t: 2 },
      { id: 'c', t: 3 },
    ];
    handler = (_req, res, url) => {
      const since = Number(url.searchParams.get('since') ?? '0');
      json(res, all.filter((x) => x.t >= since).slice(0, 2)); // inclusive cursor: repeats the last item
    };
    const poller = new HttpPoller({
      name: 't',
      topic: '/default/t',
      url: `${base}/since`,
      idField: 'id',
      cursor: { type: 'item', field: 't', param: 'since', initial: '0' },
    });
    const ids: string[] = [];
    let cp;
    for (let i = 0; i < 5; i++) {
      const r = await poller.poll(cp);
      ids.push(...payloads(r.records).map((x) => x.id));
      cp = r.checkpoint;
      if (r.done) break;
    }
    expect(ids).toEqual(['a', 'b', 'c']);
  });

  it('on 429 stops the run, keeps the checkpoint and waits for Retry-After next time', async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls++;
      res.writeHead(429, { 'retry-after': '30' }).end('slow down');
    };
    let now = 1_000_000;
    const poller = new HttpPoller({ name: 't', topic: '/default/t', url: `${base}/x` }, { now: () => now });
    const r = await poller.poll({ etag: '"e"', seen: ['1'] });
    expect(r).toMatchObject({ records: [], done: true, checkpoint: { etag: '"e"', seen: ['1'], notBefore: now + 30_000 } });
    now += 10_000;
    const skipped = await poller.poll(r.checkpoint);
    expect(skipped.done).toBe(true);
    expect(calls).toBe(1);
  });

  it('classifies failures: 5xx, malformed JSON and an unreachable API are retryable; 401 and 404 fatal', async () => {
    const poller = new HttpPoller({ name: 't', topic: '/default/t', url: `${base}/x`, requestTimeoutMs: 500 });
    handler = (_req, res) => res.writeHead(502).end();
    await expect(poller.poll(undefined)).rejects.toBeInstanceOf(RetryableError);
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"items": [');
    await expect(poller.poll(undefined)).rejects.toThrow(/not JSON/);
    handler = (_req, res) => json(res, { items: 'nope' });
    await expect(poller.poll(undefined)).rejects.toThrow(/not an array/);
    handler = (_req, res) => res.writeHead(401).end('bad token');
    await expect(poller.poll(undefined)).rejects.toBeInstanceOf(FatalError);
    handler = (_req, res) => res.writeHead(404).end();
    await expect(poller.poll(undefined)).rejects.toBeInstanceOf(FatalError);
    handler = () => {}; // never answers
    await expect(poller.poll(undefined)).rejects.toBeInstanceOf(RetryableError);
    const closed = new HttpPoller({ name: 't', topic: '/default/t', url: 'http://127.0.0.1:1/x' });
    await expect(closed.poll(undefined)).rejects.toBeInstanceOf(RetryableError);
  });

  it('rejects unknown config keys by name', () => {
    expect(() => new HttpPoller({ name: 't', topic: '/default/t', url: base, itemPath: 'x' } as never)).toThrow(/itemPath: unknown key/);
  });
});
