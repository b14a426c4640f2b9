// The receiver's answers for every kind of request. The publisher here is an in-memory recorder
// (it can be told to refuse); the integration test publishes to a real embedded broker.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody } from '../../../../src/core/signing.js';
import { handleApiGatewayEvent, webhookFetchHandler } from '../../../../src/connectors/webhook/adapters.js';
import { WebhookReceiver, type WebhookPublisher } from '../../../../src/connectors/webhook/receiver.js';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

const SECRET = 'hmac-secret-123';
const JWT_SECRET = 'jwt-secret-0123456789';

function recorder(fail = false) {
  const sent: { topic: string; body: string; attributes: Record<string, string>; key?: string }[] = [];
  const publisher: WebhookPublisher = {
    async publish(topic, payload, o) {
      if (fail) throw new Error('broker unavailable');
      sent.push({ topic, body: new TextDecoder().decode(payload), attributes: o.attributes, ...(o.key ? { key: o.key } : {}) });
    },
  };
  return { sent, publisher };
}

function jwt(claims: object, secret = JWT_SECRET, alg = 'HS256') {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${enc({ alg, typ: 'JWT' })}.${enc(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

const options = {
  maxBodyBytes: 200,
  forwardHeaders: ['x-github-event'],
  routes: [
    { path: '/open', topic: '/default/open', keyField: '$.customer' },
    {
      path: '/github',
      topic: '/default/github',
      keyHeader: 'x-github-delivery',
      auth: { type: 'hmac' as const, secret: SECRET, header: 'x-hub-signature-256', prefix: 'sha256=' },
    },
    {
      path: '/signed',
      topic: '/default/signed',
      auth: { type: 'hmac' as const, secret: SECRET, header: 'x-danube-signature', format: 'timestamped' as const },
    },
    { path: '/jwt', topic: '/default/jwt', auth: { type: 'jwt' as const, secret: JWT_SECRET, audience: 'hooks' } },
    { path: '/key', topic: '/default/key', auth: { type: 'api-key' as const, keys: ['key-aaaaaaaa', 'key-bbbbbbbb'] } },
  ],
};

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return new Request(`http://127.0.0.1${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

describe('webhook receiver (fetch handler)', () => {
  const { sent, publisher } = recorder();
  const handle = webhookFetchHandler(new WebhookReceiver(options, { publisher }));

  it('accepts JSON with 202 after publishing, routing by path and keying by a field', async () => {
    const res = await handle(post('/open/', '{"customer":"c-7","n":1}', { 'x-github-event': 'push' }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'accepted', topic: '/default/open' });
    expect(sent.at(-1)).toMatchObject({
      topic: '/default/open',
      key: 'c-7',
      body: '{"customer":"c-7","n":1}',
      attributes: { source: 'webhook', 'webhook.path': '/open', 'webhook.header.x-github-event': 'push' },
    });
  });

  it('answers 400 for malformed JSON, 404 for unknown paths, 405 for GET, 413 for oversized bodies', async () => {
    const bad = await handle(post('/open', '{"a":'));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'malformed JSON body' });
    expect((await handle(post('/nope', '{}'))).status).toBe(404);
    expect((await handle(new Request('http://127.0.0.1/open'))).status).toBe(405);
    const big = await handle(post('/open', JSON.stringify({ x: 'y'.repeat(300) })));
    expect(big.status).toBe(413);
    // A chunked upload with no content-length is cut off while reading, too.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(50));
        c.close();
      },
    });
    const chunked = await handle(new Request('http://127.0.0.1/open', { method: 'POST', body: stream, duplex: 'half' } as RequestInit));
    expect(chunked.status).toBe(413);
  });

  it('verifies GitHub-style HMAC signatures over the raw body', async () => {
    const body = '{"action":"opened"}';
    const good = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    expect((await handle(post('/github', body, { 'x-hub-signature-256': good, 'x-github-delivery': 'd-1' }))).status).toBe(202);
    expect(sent.at(-1)!.key).toBe('d-1');
    const wrong = await handle(post('/github', body, { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'invalid signature' });
    const tampered = await handle(post('/github', '{"action":"closed"}', { 'x-hub-signature-256': good }));
    expect(tampered.status).toBe(401);
    expect((await handle(post('/github', body))).status).toBe(401);
  });

  it('verifies timestamped signatures and refuses stale ones', async () => {
    const body = '{"a":1}';
    expect((await handle(post('/signed', body, { 'x-danube-signature': await signBody(SECRET, body) }))).status).toBe(202);
    const stale = await signBody(SECRET, body, Math.floor(Date.now() / 1000) - 3600);
    const res = await handle(post('/signed', body, { 'x-danube-signature': stale }));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'signature timestamp outside tolerance' });
  });

  it('verifies HS256 JWTs: signature, expiry, audience, algorithm', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ok = jwt({ sub: 'svc-a', aud: 'hooks', exp: now + 60 });
    expect((await handle(post('/jwt', '{}', { authorization: `Bearer ${ok}` }))).status).toBe(202);
    expect(sent.at(-1)!.attributes['webhook.subject']).toBe('svc-a');
    const cases: [string, string][] = [
      [jwt({ aud: 'hooks', exp: now - 600 }), 'token expired'],
      [jwt({ aud: 'other', exp: now + 60 }), 'token audience not accepted'],
      [jwt({ aud: 'hooks', exp: now + 60 }, 'another-secret-000000'), 'invalid token signature'],
      [jwt({ aud: 'hooks', exp: now + 60 }, JWT_SECRET, 'none'), 'token algorithm must be HS256'],
      ['not.a-token', 'malformed token'],
    ];
    for (const [token, reason] of cases) {
      const res = await handle(post('/jwt', '{}', { authorization: `Bearer ${token}` }));
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: reason });
    }
  });

  it('checks API keys from the header or a bearer token', async () => {
    expect((await handle(post('/key', '{}', { 'x-api-key': 'key-bbbbbbbb' }))).status).toBe(202);
    expect((await handle(post('/key', '{}', { authorization: 'Bearer key-aaaaaaaa' }))).status).toBe(202);
    expect((await handle(post('/key', '{}', { 'x-api-key': 'key-cccccccc' }))).status).toBe(401);
  });

  it('answers 503 with Retry-After when the broker did not take the message', async () => {
    const failing = webhookFetchHandler(new WebhookReceiver({ ...options, retryAfterSec: 7 }, { publisher: recorder(true).publisher }));
    const res = await failing(post('/open', '{}'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
  });

  it('rejects unknown option keys by name', () => {
    expect(() => new WebhookReceiver({ routes: [{ path: '/a', topic: '/default/a', topik: 'x' }] } as never, { publisher })).toThrow(
      /routes\.0\.topik: unknown key/,
    );
    const standard = (auth: object) => new WebhookReceiver({ routes: [{ path: '/a', topic: '/default/a' }], auth } as never, { publisher });
    expect(() => standard({ type: 'standard-webhooks', secret: 'hmac-secret-123' })).toThrow(/auth\.secret: must be written whsec_<base64 key>/);
    expect(() => standard({ type: 'standard-webhooks', secret: `whsec_${Buffer.alloc(32).toString('base64')}`, tolerance: 5 })).toThrow(
      /tolerance: unknown key/,
    );
  });
});

describe('webhook receiver (API Gateway HTTP API v2 event)', () => {
  const { sent, publisher } = recorder();
  const receiver = new WebhookReceiver({ ...options, basePath: '/prod' }, { publisher });
  const event = (body: string, extra: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 => ({
    version: '2.0',
    routeKey: '$default',
    rawPath: '/prod/open',
    rawQueryString: '',
    isBase64Encoded: false,
    headers: { 'content-type': 'application/json' },
    body,
    requestContext: {
      http: { method: 'POST', path: '/prod/open', protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 't' },
    } as APIGatewayProxyEventV2['requestContext'],
    ...extra,
  });

  it('publishes a plain and a base64 body, strips the stage prefix, refuses bad ones', async () => {
    expect((await handleApiGatewayEvent(receiver, event('{"customer":"x"}'))).statusCode).toBe(202);
    expect(sent.at(-1)!.attributes['webhook.source-ip']).toBe('10.0.0.1');
    const b64 = Buffer.from('{"customer":"y"}').toString('base64');
    expect((await handleApiGatewayEvent(receiver, event(b64, { isBase64Encoded: true }))).statusCode).toBe(202);
    expect(sent.at(-1)!.key).toBe('y');
    expect((await handleApiGatewayEvent(receiver, event('{oops'))).statusCode).toBe(400);
    expect((await handleApiGatewayEvent(receiver, event('x'.repeat(500)))).statusCode).toBe(413);
    expect((await handleApiGatewayEvent(receiver, event('!!notbase64', { isBase64Encoded: true }))).statusCode).toBe(400);
  });
});
