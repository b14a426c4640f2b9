import { Miniflare } from 'miniflare';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from './bundle-worker.js';
import { gzip, signBody, utf8 } from '../../../src/core/index.js';
import { encodeSinkBatch } from '../../../src/sink/index.js';

// The fetch adapter runs for real inside workerd (Cloudflare's runtime) through miniflare: the
// bundle is built for a Worker (no Node built-ins), and requests go over HTTP on 127.0.0.1.
// The secret is a Standard Webhooks key, so requests signed either way verify with it.
const SECRET = 'whsec_d29ya2VyLXRlc3Qtc2VjcmV0LW9mLTMyLWJ5dGVzISE=';
let mf: Miniflare;
let bundle: string;

beforeAll(async () => {
  bundle = await bundleWorker('fetch-worker.ts');
  mf = new Miniflare({
    modules: true,
    script: bundle,
    compatibilityDate: '2025-09-01',
    bindings: { SIGNING_SECRET: SECRET },
    host: '127.0.0.1',
    port: 0,
  });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

const meta = { binding: 'orders-to-worker', topic: '/default/orders', subscription: 'orders-worker' };
const rec = (offset: bigint, payload: Uint8Array, attributes: Record<string, string> = {}) => ({
  topic: '/default/orders-part-0',
  offset,
  publishTime: 1763800000000,
  producerName: 'orders-src',
  attributes,
  attempt: 1,
  payload,
});

async function post(body: string, headers: Record<string, string> = {}) {
  const res = await mf.dispatchFetch('http://sink.local/', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('fetchSink inside workerd', () => {
  it('bundles small, without Node built-ins, pino, zod or the OpenTelemetry API', () => {
    expect(bundle.length).toBeLessThan(100_000);
    expect(bundle).not.toContain('node_modules/zod');
    expect(bundle).not.toContain('node_modules/@opentelemetry');
    expect(bundle).not.toMatch(/from\s*["']node:/);
    expect(bundle).not.toMatch(/require\(["'](node:)?(crypto|zlib|buffer)["']\)/);
    expect(bundle).not.toContain('pino');
  });

  it('answers a signed batch with 200 and the partial failures (gzip decoded in the Worker)', async () => {
    const body = JSON.stringify(
      encodeSinkBatch(
        [
          rec(1n, utf8('{"sku":"A1"}')),
          rec(2n, utf8('{"qty":3}')),
          rec(3n, await gzip(utf8('{"sku":"Z9"}')), { compression: 'gzip' }),
          rec(4n, utf8('not json')),
        ],
        meta,
      ),
    );
    const { status, json } = await post(body, { 'x-danube-signature': await signBody(SECRET, body) });
    expect(status).toBe(200);
    expect(json).toEqual({
      batchItemFailures: [
        { itemIdentifier: '/default/orders-part-0@2', reason: 'invalid', message: 'order without sku' },
        { itemIdentifier: '/default/orders-part-0@4', reason: 'invalid', message: 'record /default/orders-part-0@4 payload is not valid JSON' },
      ],
    });
  });

  it('answers 500 with the error when the sink fails the whole batch', async () => {
    const body = JSON.stringify(encodeSinkBatch([rec(5n, utf8('{"sku":"A1"}'), { 'fail-batch': 'yes' })], meta));
    const { status, json } = await post(body, { 'x-danube-signature': await signBody(SECRET, body) });
    expect(status).toBe(500);
    expect(json).toEqual({ error: { name: 'RetryableError', message: 'warehouse is down', kind: 'retryable' } });
  });

  it('refuses unsigned, wrongly signed and stale requests with 401', async () => {
    const body = JSON.stringify(encodeSinkBatch([rec(6n, utf8('{"sku":"A1"}'))], meta));
    expect(await post(body)).toEqual({ status: 401, json: { error: 'signature missing' } });
    expect(await post(body, { 'x-danube-signature': await signBody('another-secret', body) })).toEqual({ status: 401, json: { error: 'signature mismatch' } });
    const stale = await signBody(SECRET, body, Math.floor(Date.now() / 1000) - 120);
    expect(await post(body, { 'x-danube-signature': stale })).toEqual({ status: 401, json: { error: 'signature stale' } });
    const tampered = await signBody(SECRET, body);
    expect((await post(body.replace('orders-to-worker', 'orders-to-elsewhere'), { 'x-danube-signature': tampered })).status).toBe(401);
  });

  it('accepts a batch the standardwebhooks package signed, refuses it tampered or stale', async () => {
    const body = JSON.stringify(encodeSinkBatch([rec(8n, utf8('{"sku":"A1"}'))], meta));
    const wh = new Webhook(SECRET);
    const headers = (id: string, at: Date) => ({
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': wh.sign(id, at, body),
    });
    expect(await post(body, headers('msg_worker_1', new Date()))).toEqual({ status: 200, json: { batchItemFailures: [] } });
    expect(await post(body.replace('orders-to-worker', 'orders-to-elsewhere'), headers('msg_worker_2', new Date()))).toEqual({
      status: 401,
      json: { error: 'signature mismatch' },
    });
    expect(await post(body, headers('msg_worker_3', new Date(Date.now() - 120_000)))).toEqual({ status: 401, json: { error: 'signature stale' } });
  });

  it('refuses a signed but malformed event with 400 naming the field', async () => {
    const event = encodeSinkBatch([rec(7n, utf8('{}'))], meta) as unknown as { records: Array<Record<string, unknown>> };
    event.records[0]!.offset = 7;
    const body = JSON.stringify(event);
    const { status, json } = await post(body, { 'x-danube-signature': await signBody(SECRET, body) });
    expect(status).toBe(400);
    expect(json.field).toBe('records[0].offset');
    expect(json.error).toMatch(/records\[0\]\.offset must be a uint64/);
  });
});
