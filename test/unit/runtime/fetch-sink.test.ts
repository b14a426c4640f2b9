import { describe, expect, it } from 'vitest';
import { signBody } from '../../../src/core/signing.js';
import { signStandardWebhook } from '../../../src/core/standard-webhooks.js';
import { createHttpInvoker } from '../../../src/relay/invokers/http.js';
import { fetchSink } from '../../../src/runtime/cloudflare/fetch.js';
import { defineSink, encodeSinkBatch } from '../../../src/sink/index.js';

const KEY = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const sink = defineSink(async () => undefined);
const body = JSON.stringify(encodeSinkBatch([], { binding: 'b', topic: '/default/t', subscription: 's' }));
const post = (headers: Record<string, string>) => new Request('http://127.0.0.1/', { method: 'POST', body, headers });

describe('fetchSink signatures', () => {
  it('accepts either scheme by default', async () => {
    const handle = fetchSink(sink, { secret: KEY });
    expect((await handle(post({ 'x-danube-signature': await signBody(KEY, body) }))).status).toBe(200);
    expect((await handle(post(await signStandardWebhook(KEY, 'msg_a', body)))).status).toBe(200);
  });

  it('accepts only the configured scheme when told', async () => {
    const danube = fetchSink(sink, { secret: KEY, signature: 'danube' });
    const standard = fetchSink(sink, { secret: KEY, signature: 'standard-webhooks' });
    const refused = await danube(post(await signStandardWebhook(KEY, 'msg_b', body)));
    expect({ status: refused.status, body: await refused.json() }).toEqual({ status: 401, body: { error: 'signature missing' } });
    expect((await standard(post({ 'x-danube-signature': await signBody(KEY, body) }))).status).toBe(401);
    expect((await standard(post(await signStandardWebhook(KEY, 'msg_c', body)))).status).toBe(200);
  });

  it('refuses unknown option keys and a Standard Webhooks secret that is not a whsec_ key, naming them', () => {
    expect(() => fetchSink(sink, { secret: KEY, tolerance: 30 } as never)).toThrow(/invalid fetchSink options: tolerance: unknown key/);
    expect(() => fetchSink(sink, { secret: KEY, signature: 'hmac' } as never)).toThrow(/signature: must be one of/);
    expect(() => fetchSink(sink, { secret: 'a-plain-secret-of-some-length', signature: 'standard-webhooks' })).toThrow(/secret: .*whsec_/);
  });

  it('answers 500 when the secret from env is not usable by the configured scheme', async () => {
    const handle = fetchSink<{ S: string }>(sink, { secret: (env) => env.S, signature: 'standard-webhooks' });
    expect((await handle(post(await signStandardWebhook(KEY, 'msg_d', body)), { S: 'a-plain-secret-of-some-length' })).status).toBe(500);
    expect((await handle(post(await signStandardWebhook(KEY, 'msg_e', body)), { S: KEY })).status).toBe(200);
  });
});

describe('createHttpInvoker options', () => {
  it('refuses unknown keys, and secrets that do not fit the scheme', () => {
    const base = { url: 'http://127.0.0.1:1/sink', timeoutMs: 1000 };
    expect(() => createHttpInvoker({ ...base, secret: KEY, sigature: 'danube' } as never)).toThrow(/sigature: unknown key \(did you mean "signature"\?\)/);
    expect(() => createHttpInvoker({ ...base, secret: 'short' })).toThrow(/secret: must be at least 16 characters/);
    expect(() => createHttpInvoker({ ...base, secret: 'a-plain-secret-of-some-length', signature: 'standard-webhooks' })).toThrow(
      /secret: must be written whsec_/,
    );
    expect(createHttpInvoker({ ...base, secret: KEY, signature: 'standard-webhooks' }).kind).toBe('http');
  });
});
