// `danube-connect console` attached to a relay and a broker elsewhere (here: in this process, on
// 127.0.0.1): bindings from the relay's /status, topics through the admin API, dead letters through
// their inspection subscription, and no action while read-only.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DanubeAdmin } from '../../../src/admin/index.js';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { attachConsoleBackend } from '../../../src/console/attach-backend.js';
import { startConsoleServer, type ConsoleServer } from '../../../src/console/server.js';
import { silentLogger } from '../../../src/core/logger.js';
import { openDeadLetterTopic } from '../../../src/dlq/index.js';
import { parseRelayConfig, startRelay, type Relay } from '../../../src/relay/index.js';
import { provisionBindings } from '../../../src/serverless/provision.js';
import { defineSink } from '../../../src/sink/define.js';

const TOPIC = '/default/attach-orders';
const DLQ = '/default/attach-orders-dlq';
let broker: Broker;
let client: DanubeClient;
let admin: DanubeAdmin;
let relay: Relay | undefined;
let server: ConsoleServer | undefined;

beforeAll(async () => {
  broker = await startBroker({ port: 0, logger: silentLogger });
  client = new DanubeClient({ serviceUrl: broker.url, logger: silentLogger });
  admin = new DanubeAdmin({ adminUrl: broker.adminUrl });
});
afterAll(async () => {
  await server?.close();
  await relay?.close();
  admin?.close();
  await client?.close();
  await broker?.close();
});

async function get(path: string): Promise<any> {
  const res = await fetch(`${server!.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  return res.json();
}

it('shows a relay and broker running elsewhere, read-only', async () => {
  const { config } = parseRelayConfig({
    serviceUrl: broker.url,
    port: 0,
    bindings: [
      {
        name: 'orders',
        topic: TOPIC,
        subscription: 'orders-sub',
        function: { type: 'local', module: './unused.js' },
        batchSize: 5,
        maxBatchingWindowMs: 50,
        maxRetryAttempts: 0,
        deadLetterTopic: DLQ,
      },
    ],
  });
  await provisionBindings(config.bindings, { admin, client, logger: silentLogger });
  const sink = defineSink(async (records) => ({
    batchItemFailures: records.filter((r) => r.text() === 'bad').map((r) => ({ itemIdentifier: r.id, reason: 'invalid' as const, message: 'not an order' })),
  }));
  relay = await startRelay(config, { client, logger: silentLogger, sinks: { orders: sink } });
  const producer = await client.createProducer({ topic: TOPIC, name: 'orders-src', dispatch: 'reliable' });
  for (const payload of ['{"n":1}', 'bad', '{"n":3}']) await producer.send(payload);
  await producer.close();

  const backend = await attachConsoleBackend({
    relayUrl: relay.url!,
    bindings: config.bindings,
    serviceUrl: broker.url,
    adminUrl: broker.adminUrl,
    client,
    deadLetters: (topic) => openDeadLetterTopic(topic, { client, admin, idleMs: 300 }),
    logger: silentLogger,
  });
  server = await startConsoleServer(backend, { port: 0, readOnly: true, sampleIntervalMs: 200 });

  let snapshot: any;
  const end = Date.now() + 15_000;
  do {
    await new Promise((r) => setTimeout(r, 200));
    snapshot = await get('/api/snapshot');
  } while (snapshot.bindings[0]?.deadLettered !== 1 && Date.now() < end);
  expect(snapshot).toMatchObject({ mode: 'attach', readOnly: true, actions: { runNow: false, checkpoints: false, redrive: false }, problems: [] });
  expect(snapshot.bindings[0]).toMatchObject({ name: 'orders', received: 3, acked: 3, deadLettered: 1, deadLetterTopic: DLQ, function: { kind: 'local' } });
  expect(snapshot.graph.edges).toContainEqual({ from: 'binding:orders', to: `dlq:${DLQ}`, kind: 'dead-letter' });

  const topics = await get('/api/topics');
  expect(topics.find((t: { name: string }) => t.name === TOPIC)).toMatchObject({ dispatch: 'reliable', roles: ['binding orders reads (orders-sub)'] });

  const dead = await get(`/api/dead-letters?topic=${encodeURIComponent(DLQ)}`);
  expect(dead.summary).toMatchObject({ total: 1, byReason: { 'invalid-record': 1 }, byOrigin: { 'relay:orders': 1 } });
  expect(dead.records[0]).toMatchObject({
    envelope: { reason: 'invalid-record', error: 'not an order', originalTopic: TOPIC },
    preview: { kind: 'text', text: 'bad' },
  });

  const refused = await fetch(`${server.url}/api/dead-letters/redrive`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-console-token': server.token },
    body: JSON.stringify({ topic: DLQ, all: true }),
  });
  expect(refused.status).toBe(403);
  // The record is still there: looking and a refused redrive consume nothing.
  expect((await get(`/api/dead-letters?topic=${encodeURIComponent(DLQ)}`)).summary.total).toBe(1);

  // The relay goes away: the console says so and keeps the last figures.
  await relay.close();
  relay = undefined;
  const gone = Date.now() + 10_000;
  do {
    await new Promise((r) => setTimeout(r, 200));
    snapshot = await get('/api/snapshot');
  } while (!snapshot.problems.length && Date.now() < gone);
  expect(snapshot.problems[0]).toMatch(/relay http:\/\/127\.0\.0\.1:\d+ cannot be read/);
  expect(snapshot.bindings[0]).toMatchObject({ name: 'orders', state: 'unknown', received: 3 });
}, 60_000);
