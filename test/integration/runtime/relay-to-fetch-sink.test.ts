// The relay's HTTP invoker against fetchSink: an embedded broker, the relay, and the sink's
// Web-standard handler served by a Node HTTP server on 127.0.0.1. Shows that the signed v1 event,
// the partial-batch answer and the `invalid` reason fit end to end (invalid → dead-letter topic).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { InvalidRecordError, silentLogger } from '../../../src/core/index.js';
import { startRelay } from '../../../src/relay/index.js';
import { fetchSink } from '../../../src/runtime/cloudflare/index.js';
import { defineSink, forEachRecord } from '../../../src/sink/index.js';

const SECRET = 'relay-to-fetch-sink-secret';
let broker: Broker;
let client: DanubeClient;
let server: Server;
let url: string;
const written: number[] = [];

const handle = fetchSink(
  defineSink(
    forEachRecord(async (record) => {
      const order = record.json<{ i: number }>();
      if (order.i % 5 === 3) throw new InvalidRecordError(`order ${order.i} is refused`, { record });
      written.push(order.i);
    }),
  ),
  { secret: SECRET },
);

beforeAll(async () => {
  broker = await startBroker({ port: 0, dispatch: { maxUnackedMessages: 1000 }, logger: silentLogger });
  client = new DanubeClient({ serviceUrl: broker.url, logger: silentLogger });
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const response = await handle(
      new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks),
      }),
    );
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    res.writeHead(response.status, headers);
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sink`;
}, 30_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await client?.close();
  await broker?.close();
});

describe('relay → HTTP → fetchSink', () => {
  it('writes the good records once and dead-letters the invalid ones', async () => {
    const topic = '/default/fetch-sink-orders';
    const dlq = '/default/fetch-sink-orders-dlq';
    broker.admin.createTopic(topic, { dispatch: 'reliable' });
    broker.admin.createTopic(dlq, { dispatch: 'reliable' });
    const dead = await client.subscribe({ topic: dlq, subscription: 'inspect', type: 'exclusive' });
    const deadLettered: Array<{ i: number; reason: string | undefined }> = [];
    void (async () => {
      try {
        for await (const m of dead) {
          deadLettered.push({ i: JSON.parse(new TextDecoder().decode(m.payload)).i, reason: m.attributes['x-dlq-reason'] });
          await dead.ack(m);
        }
      } catch {
        /* closed */
      }
    })();

    const relay = await startRelay(
      {
        bindings: [
          {
            name: 'orders-to-fetch',
            topic,
            subscription: { name: 'orders-fetch', maxUnackedMessages: 1000 },
            function: { type: 'http', url, secret: SECRET, timeoutMs: 5_000 },
            batchSize: 10,
            maxBatchingWindowMs: 50,
            deadLetterTopic: dlq,
          },
        ],
      },
      { client, logger: silentLogger },
    );

    const producer = await client.createProducer({ topic, name: 'fetch-sink-src', dispatch: 'reliable' });
    for (let i = 0; i < 20; i++) await producer.send(JSON.stringify({ i }));
    await producer.flush();
    await producer.close();

    const deadline = Date.now() + 15_000;
    while ((written.length < 16 || deadLettered.length < 4) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await relay.close();
    await dead.close();

    expect([...written].sort((a, b) => a - b)).toEqual([0, 1, 2, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19]);
    expect(deadLettered.map((d) => d.i).sort((a, b) => a - b)).toEqual([3, 8, 13, 18]);
    expect(deadLettered.every((d) => d.reason !== undefined)).toBe(true);
  }, 30_000);
});
