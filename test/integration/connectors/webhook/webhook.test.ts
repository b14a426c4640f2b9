import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookFetchHandler } from '../../../../src/connectors/webhook/adapters.js';
import { producerPublisher } from '../../../../src/connectors/webhook/publisher.js';
import { WebhookReceiver } from '../../../../src/connectors/webhook/receiver.js';
import { harness, quiet, receiveN, text, type Harness } from '../../client/helpers.js';

const SECRET = 'github-secret-42';
let h: Harness;
let server: Server;
let url: string;
let publisher: ReturnType<typeof producerPublisher>;

beforeAll(async () => {
  h = await harness();
  const client = h.newClient({ requestTimeoutMs: 400, retry: { maxRetries: 1, baseBackoffMs: 10, maxBackoffMs: 20 } });
  publisher = producerPublisher(client);
  const receiver = new WebhookReceiver(
    {
      maxBodyBytes: 4096,
      retryAfterSec: 3,
      forwardHeaders: ['x-github-event'],
      routes: [
        {
          path: '/github',
          topic: '/default/github',
          keyHeader: 'x-github-delivery',
          auth: { type: 'hmac', secret: SECRET, header: 'x-hub-signature-256', prefix: 'sha256=' },
        },
      ],
    },
    { publisher },
  );
  const handle = webhookFetchHandler(receiver);
  // A plain Node HTTP server in front of the Web fetch handler, as a container would run it.
  server = createServer(async (req, res) => {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : (Readable.toWeb(req) as ReadableStream<Uint8Array>);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body,
      duplex: 'half',
    } as RequestInit);
    const response = await handle(request);
    res.writeHead(response.status, Object.fromEntries(response.headers as unknown as Iterable<[string, string]>));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await publisher?.close();
  await new Promise<void>((r) => {
    server?.closeAllConnections();
    server?.close(() => r());
  });
  await h?.close();
});

const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/github`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body), ...headers } });

describe('webhook source over HTTP into the embedded broker', () => {
  it('answers 202 only once the message is on the topic; bad requests get 4xx and publish nothing', async () => {
    const p = await h.client.createProducer({ topic: '/default/github', name: 'setup', dispatch: 'reliable' });
    await p.close();
    const consumer = await h.client.subscribe({ topic: '/default/github', subscription: 'check', type: 'exclusive' });
    const body = JSON.stringify({ action: 'opened', number: 7 });
    const res = await post(body, { 'x-github-delivery': 'd-7', 'x-github-event': 'pull_request' });
    expect(res.status).toBe(202);
    const [m] = await receiveN(consumer, 1);
    expect(text(m)).toBe(body);
    expect(m!.routingKey).toBe('d-7');
    expect(m!.attributes).toMatchObject({ source: 'webhook', 'webhook.path': '/github', 'webhook.header.x-github-event': 'pull_request' });

    const bad = await Promise.all([
      post('{"action":', {}), // malformed JSON (correctly signed)
      fetch(`${url}/github`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign('other') } }),
      post(JSON.stringify({ pad: 'x'.repeat(5000) })),
      fetch(`${url}/nowhere`, { method: 'POST', body: '{}' }),
    ]);
    expect(bad.map((r) => r.status)).toEqual([400, 401, 413, 404]);
    expect(await Promise.all(bad.map((r) => r.json()))).toEqual([
      { error: 'malformed JSON body' },
      { error: 'invalid signature' },
      { error: 'body larger than 4096 bytes' },
      { error: 'no webhook route for /nowhere' },
    ]);
    expect(await quiet(consumer, 200)).toBeUndefined();
    await consumer.close();
  });

  it('answers 503 with Retry-After when the broker does not accept the message', async () => {
    h.broker.faults.failNext('SendMessage', 1000, status.UNAVAILABLE);
    try {
      const res = await post(JSON.stringify({ action: 'closed' }));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3');
      expect(await res.json()).toEqual({ error: 'message not stored, try again later' });
    } finally {
      h.broker.faults.clear();
    }
  });
});
