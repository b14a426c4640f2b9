// Interoperability with the `standardwebhooks` package (the Standard Webhooks reference library
// for JavaScript): it verifies what the relay's HTTP invoker signs, and signs what the webhook
// source accepts (fetchSink is checked the same way inside workerd, in worker-fetch-sink.test.ts).
// Real HTTP on 127.0.0.1 and an embedded broker.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { webhookFetchHandler } from '../../../src/connectors/webhook/adapters.js';
import { WebhookReceiver, type WebhookPublisher } from '../../../src/connectors/webhook/receiver.js';
import { silentLogger } from '../../../src/core/index.js';
import { startRelay } from '../../../src/relay/index.js';
import { fetchSink } from '../../../src/runtime/cloudflare/index.js';
import { defineSink, type SinkBatchEventV1 } from '../../../src/sink/index.js';

const SECRET = 'whsec_c3RhbmRhcmQtd2ViaG9va3MtaW50ZXJvcC1rZXktMzI=';

interface Seen {
  headers: IncomingHttpHeaders;
  body: string;
  verified: boolean;
  error?: string;
}

let broker: Broker;
let client: DanubeClient;
let server: Server;
let url: string;
const seen: Seen[] = [];
let answer: (n: number) => number = () => 200;
// The sink behind fetchSink, for the relay → fetchSink case.
let fetchHandler: ((request: Request) => Promise<Response>) | undefined;
const delivered: string[] = [];

beforeAll(async () => {
  broker = await startBroker({ port: 0, dispatch: { maxUnackedMessages: 1000 }, logger: silentLogger });
  client = new DanubeClient({ serviceUrl: broker.url, logger: silentLogger });
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (req.url === '/fetch-sink') {
      const response = await fetchHandler!(new Request(`http://127.0.0.1${req.url}`, { method: 'POST', headers: req.headers as Record<string, string>, body }));
      res.writeHead(response.status, { 'content-type': 'application/json' });
      res.end(Buffer.from(await response.arrayBuffer()));
      return;
    }
    const entry: Seen = { headers: req.headers, body: body.toString('utf8'), verified: false };
    try {
      new Webhook(SECRET).verify(body, req.headers as Record<string, string>);
      entry.verified = true;
    } catch (err) {
      entry.error = (err as Error).message;
    }
    seen.push(entry);
    res.writeHead(entry.verified ? answer(seen.length) : 401).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 30_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await client?.close();
  await broker?.close();
});

async function publish(topic: string, n: number): Promise<void> {
  const producer = await client.createProducer({ topic, name: `${topic.split('/').pop()}-src`, dispatch: 'reliable' });
  for (let i = 0; i < n; i++) await producer.send(JSON.stringify({ i }));
  await producer.flush();
  await producer.close();
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the relay signs the Standard Webhooks way', () => {
  it('every request verifies with the standardwebhooks package; a retry of the same records keeps its webhook-id', async () => {
    const topic = '/default/swh-relay';
    broker.admin.createTopic(topic, { dispatch: 'reliable' });
    answer = (n) => (n === 1 ? 503 : 200);
    const relay = await startRelay(
      {
        bindings: [
          {
            name: 'swh',
            topic,
            subscription: { name: 'swh-sub', maxUnackedMessages: 1000 },
            function: { type: 'http', url: `${url}/hook`, secret: SECRET, signature: 'standard-webhooks', timeoutMs: 5_000 },
            batchSize: 10,
            maxBatchingWindowMs: 300,
            retryBackoff: { initialDelayMs: 50, maxDelayMs: 100 },
          },
        ],
      },
      { client, logger: silentLogger },
    );
    await publish(topic, 5);
    await until(() => relay.status().bindings[0]!.counts.succeeded === 5, 'five records acked');
    await relay.close();

    expect(seen.length).toBe(2);
    expect(seen.map((s) => s.error)).toEqual([undefined, undefined]);
    expect(seen.every((s) => s.verified)).toBe(true);
    expect(seen[0]!.headers['x-danube-signature']).toBeUndefined();
    expect(seen[0]!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    // The same five records, sent again after the 503: same message id, a new attempt.
    expect(seen[1]!.headers['webhook-id']).toBe(seen[0]!.headers['webhook-id']);
    const [first, second] = seen.map((s) => JSON.parse(s.body) as SinkBatchEventV1);
    expect(second!.records.map((r) => r.id)).toEqual(first!.records.map((r) => r.id));
    expect(second!.records[0]!.attempt).toBe(2);
  }, 30_000);

  it("fetchSink accepts the relay's Standard Webhooks requests", async () => {
    const topic = '/default/swh-fetch';
    broker.admin.createTopic(topic, { dispatch: 'reliable' });
    fetchHandler = fetchSink(
      defineSink(async (records) => {
        for (const r of records) delivered.push(r.text());
      }),
      { secret: SECRET, signature: 'standard-webhooks' },
    );
    const relay = await startRelay(
      {
        bindings: [
          {
            name: 'swh-fetch',
            topic,
            subscription: 'swh-fetch-sub',
            function: { type: 'http', url: `${url}/fetch-sink`, secret: SECRET, signature: 'standard-webhooks', timeoutMs: 5_000 },
            maxBatchingWindowMs: 50,
          },
        ],
      },
      { client, logger: silentLogger },
    );
    await publish(topic, 3);
    await until(() => relay.status().bindings[0]!.counts.succeeded === 3, 'three records acked');
    const failures = relay.status().bindings[0]!.counts.failed;
    await relay.close();
    expect(delivered.sort()).toEqual(['{"i":0}', '{"i":1}', '{"i":2}']);
    expect(failures).toBe(0);
  }, 30_000);
});

describe('the webhook source accepts what the standardwebhooks package signs', () => {
  const sent: string[] = [];
  const publisher: WebhookPublisher = {
    async publish(_topic, payload) {
      sent.push(new TextDecoder().decode(payload));
    },
  };
  const handle = webhookFetchHandler(
    new WebhookReceiver(
      {
        routes: [{ path: '/hooks', topic: '/default/hooks', auth: { type: 'standard-webhooks', secret: SECRET } }],
      },
      { publisher },
    ),
  );
  const request = (body: string, headers: Record<string, string>) =>
    new Request('http://127.0.0.1/hooks', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const signed = (id: string, at: Date, body: string) => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(SECRET).sign(id, at, body),
  });

  it('202 for a signed request; 401 when tampered, stale or unsigned', async () => {
    const body = '{"type":"invoice.paid","data":{"id":"in_1"}}';
    expect((await handle(request(body, signed('msg_src_1', new Date(), body)))).status).toBe(202);
    expect(sent).toEqual([body]);
    const tampered = await handle(request(body.replace('in_1', 'in_2'), signed('msg_src_2', new Date(), body)));
    expect({ status: tampered.status, body: await tampered.json() }).toEqual({ status: 401, body: { error: 'invalid signature' } });
    const stale = await handle(request(body, signed('msg_src_3', new Date(Date.now() - 600_000), body)));
    expect({ status: stale.status, body: await stale.json() }).toEqual({ status: 401, body: { error: 'signature timestamp outside tolerance' } });
    expect((await handle(request(body, {}))).status).toBe(401);
    expect(sent).toHaveLength(1);
  });
});
