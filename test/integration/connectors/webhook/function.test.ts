// The deployable handlers, loaded as Lambda would load them (configuration from the environment),
// invoked with real event shapes: an API Gateway HTTP API v2 event for the webhook, a relay sink
// batch event for the HTTP sink.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeSinkBatch } from '../../../../src/sink/event.js';
import { harness, receiveN, text, type Harness } from '../../client/helpers.js';

let h: Harness;
let server: Server;
const posted: string[] = [];
const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

beforeAll(async () => {
  h = await harness();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      posted.push(`${req.headers.authorization} ${body}`);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise<void>((r) => {
    server?.closeAllConnections();
    server?.close(() => r());
  });
  await h?.close();
});

describe('deployable handlers', () => {
  it('functions/webhook.ts publishes an API Gateway request and answers 202', async () => {
    vi.stubEnv('DANUBE_SERVICE_URL', h.broker.url);
    vi.stubEnv('WEBHOOK_CONFIG', JSON.stringify({ auth: { type: 'api-key', keys: ['placeholder'] }, routes: [{ path: '/in', topic: '/default/fn-webhook' }] }));
    vi.stubEnv('WEBHOOK_SECRET', ''); // api-key auth has no secret to replace
    const setup = await h.client.createProducer({ topic: '/default/fn-webhook', name: 'setup', dispatch: 'reliable' });
    await setup.close();
    const consumer = await h.client.subscribe({ topic: '/default/fn-webhook', subscription: 'check', type: 'exclusive' });
    const { handler } = await import('../../../../functions/webhook.js');
    const event = (key: string) =>
      ({
        version: '2.0',
        routeKey: '$default',
        rawPath: '/in',
        rawQueryString: '',
        isBase64Encoded: false,
        body: '{"hello":"world"}',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        requestContext: { http: { method: 'POST', path: '/in', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' } },
      }) as unknown as APIGatewayProxyEventV2;
    expect(await handler(event('placeholder'), context)).toMatchObject({ statusCode: 202 });
    expect(await handler(event('wrong-key-value'), context)).toMatchObject({ statusCode: 401 });
    expect(text((await receiveN(consumer, 1))[0])).toBe('{"hello":"world"}');
    await consumer.close();
  });

  it('functions/http-sink.ts posts a relay batch with the configured token', async () => {
    vi.stubEnv('HTTP_SINK_URL', `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    vi.stubEnv('HTTP_SINK_CONFIG', JSON.stringify({ concurrency: 2 }));
    vi.stubEnv('HTTP_SINK_AUTHORIZATION', 'Bearer fn-token');
    const { handler } = await import('../../../../functions/http-sink.js');
    const batch = encodeSinkBatch(
      [0, 1].map((i) => ({
        topic: '/default/x',
        offset: BigInt(i),
        publishTime: 1,
        producerName: 'p',
        attributes: {},
        payload: new TextEncoder().encode(`{"i":${i}}`),
      })),
      { binding: 'b', topic: '/default/x', subscription: 's' },
    );
    expect(await handler(batch, context)).toEqual({ batchItemFailures: [] });
    expect(posted.sort()).toEqual(['Bearer fn-token {"i":0}', 'Bearer fn-token {"i":1}']);
  });
});
