// The serverless relay: each run consumes until its budget minus the stop margin, finishes its
// batches, and stops; the next run (same consumer name) takes over where it left off. Real gRPC
// on 127.0.0.1 against the embedded broker; sinks run in this process.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { SinkRecord } from '../../../src/core/records.js';
import { defineSink } from '../../../src/sink/define.js';
import { runRelayForBudget } from '../../../src/serverless/relay-run.js';

let broker: Broker;
let client: DanubeClient;

beforeAll(async () => {
  broker = await startBroker({ port: 0, dispatch: { maxUnackedMessages: 100, ackTimeoutMs: 5_000 }, logger: silentLogger });
  client = new DanubeClient({ serviceUrl: broker.url, logger: silentLogger });
});

afterAll(async () => {
  await client?.close();
  await broker?.close();
});

async function publish(topic: string, from: number, n: number): Promise<void> {
  const producer = await client.createProducer({ topic, name: `p-${from}`, dispatch: 'reliable' });
  await Promise.all(Array.from({ length: n }, (_, k) => producer.send(JSON.stringify({ i: from + k }))));
  await producer.flush();
  await producer.close();
}

it('hands the subscription from one budgeted run to the next without losing a record', async () => {
  const topic = '/default/relay-budget';
  broker.admin.createTopic(topic, { dispatch: 'reliable' });
  const seen: number[] = [];
  let slowUntil = 0;
  const sink = defineSink(async (records: SinkRecord[]) => {
    // The first batch of the first run is slow: it is still running when the run's budget ends.
    if (Date.now() < slowUntil) await new Promise((r) => setTimeout(r, 400));
    for (const r of records) seen.push((r.json() as { i: number }).i);
  });
  const binding = {
    name: 'budget',
    topic,
    subscription: { name: 'budget-sub', consumerName: 'budget-relay', type: 'exclusive' as const, maxUnackedMessages: 100 },
    function: { type: 'local' as const, module: 'unused', timeoutMs: 2_000 },
    batchSize: 10,
    maxBatchingWindowMs: 50,
  };
  const run = (budgetMs: number) =>
    runRelayForBudget({ bindings: [binding], client, budgetMs, stopMarginMs: 600, logger: silentLogger, relayOptions: { sinks: { budget: sink } } });

  // Run 1 subscribes, then records arrive while it runs; its budget ends with a batch in flight.
  const first = run(1_500);
  await new Promise((r) => setTimeout(r, 300));
  slowUntil = Date.now() + 2_000;
  await publish(topic, 0, 30);
  const one = await first;
  expect(one.consumedMs).toBeGreaterThanOrEqual(850);
  expect(one.consumedMs).toBeLessThan(1_400);
  expect(one.status.bindings[0]!.inFlightRecords).toBe(0);

  // Between runs more records arrive; run 2 takes over under the same consumer name.
  await publish(topic, 30, 20);
  slowUntil = 0;
  const two = await run(1_500);
  const acked = (s: typeof one) => s.status.bindings[0]!.counts.succeeded;
  expect(acked(one) + acked(two)).toBeGreaterThanOrEqual(50);
  // At least once: every record was handled; a redelivered one may appear twice, none is missing.
  expect(new Set(seen)).toEqual(new Set(Array.from({ length: 50 }, (_, i) => i)));
}, 30_000);

it('the relay Lambda handler: a scheduled run serves its binding from the environment the plugin sets, then stops in time', async () => {
  const topic = '/default/relay-handler';
  broker.admin.createTopic(topic, { dispatch: 'reliable' });
  const dir = await mkdtemp(join(tmpdir(), 'danube-relay-handler-'));
  const out = join(dir, 'orders.jsonl');
  // The binding as the plugin writes it into DANUBE_RELAY_BINDING, with the example sink run in
  // this process (the deployed one names a Lambda function instead).
  process.env.DANUBE_SERVICE_URL = broker.url;
  process.env.EXAMPLE_SINK_FILE = out;
  process.env.DANUBE_RELAY_STOP_MARGIN_MS = '700';
  process.env.DANUBE_RELAY_BINDING = JSON.stringify({
    name: 'handler',
    topic,
    subscription: { name: 'handler-sub', consumerName: 'handler-relay', maxUnackedMessages: 100 },
    function: { type: 'local', module: resolve(import.meta.dirname, '../../../functions/example-sink.ts'), export: 'sink', timeoutMs: 2_000 },
    batchSize: 10,
    maxBatchingWindowMs: 50,
  });
  const { handler } = await import('../../../src/serverless/relay-handler.js');
  const deadline = Date.now() + 2_000;
  const context = { awsRequestId: 'req-1', functionName: 'relay-handler', getRemainingTimeInMillis: () => deadline - Date.now() } as unknown as Context;
  const run = handler({ 'detail-type': 'Scheduled Event' }, context);
  await new Promise((r) => setTimeout(r, 400));
  const producer = await client.createProducer({ topic, name: 'orders', dispatch: 'reliable' });
  await Promise.all(Array.from({ length: 5 }, (_, i) => producer.send(JSON.stringify({ orderId: `o-${i}` }), { key: `c-${i}` })));
  await producer.close();
  const result = await run;
  // It stopped taking messages at budget minus margin and returned before the Lambda deadline.
  expect(Date.now()).toBeLessThan(deadline);
  expect(result.consumedMs).toBeGreaterThanOrEqual(1_000);
  expect(result.bindings[0]).toMatchObject({ name: 'handler', counts: { succeeded: 5 } });
  const lines = (await readFile(out, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).order.orderId);
  expect(lines.sort()).toEqual(['o-0', 'o-1', 'o-2', 'o-3', 'o-4']);
  await rm(dir, { recursive: true, force: true });
}, 30_000);
