// The dead-letter tooling from code, over real gRPC on 127.0.0.1: a relay whose sink fails some
// records dead-letters them; they are listed by reason and peeked any number of times without
// being consumed; once the sink is fixed they are redriven to their original topic, reach the
// sink once more with their original record id, and leave the dead-letter topic.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DanubeAdmin } from '../../../src/admin/index.js';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { RECORD_ID_ATTRIBUTE } from '../../../src/core/attributes.js';
import { PRIOR_ATTEMPTS_ATTRIBUTE } from '../../../src/core/dead-letter.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { SinkRecord } from '../../../src/core/records.js';
import { INSPECTION_SUBSCRIPTION, openDeadLetterTopic } from '../../../src/dlq/index.js';
import { parseRelayConfig, startRelay, type Relay } from '../../../src/relay/index.js';
import { defineSink } from '../../../src/sink/define.js';
import { provisionBindings } from '../../../src/serverless/provision.js';

const TOPIC = '/default/dlq-tool-orders';
const DLQ = '/default/dlq-tool-orders-dlq';
let broker: Broker;
let client: DanubeClient;
let admin: DanubeAdmin;
let relay: Relay | undefined;

beforeAll(async () => {
  broker = await startBroker({ port: 0, logger: silentLogger });
  client = new DanubeClient({ serviceUrl: broker.url, logger: silentLogger });
  admin = new DanubeAdmin({ adminUrl: broker.adminUrl });
});
afterAll(async () => {
  await relay?.close();
  admin?.close();
  await client?.close();
  await broker?.close();
});

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('lists dead letters by reason, peeks without consuming, and redrives them to the sink once fixed', async () => {
  const { config } = parseRelayConfig({
    serviceUrl: broker.url,
    bindings: [
      {
        name: 'orders',
        topic: TOPIC,
        subscription: 'orders-sub',
        function: { type: 'local', module: './unused.js' },
        batchSize: 5,
        maxBatchingWindowMs: 50,
        // Unordered: a failed record does not send the ones after it again.
        ordering: 'none',
        maxRetryAttempts: 0,
        retryBackoff: { initialDelayMs: 10, maxDelayMs: 20 },
        deadLetterTopic: DLQ,
      },
    ],
  });
  const report = await provisionBindings(config.bindings, { admin, client, logger: silentLogger });
  expect(report.inspectionSubscriptions).toEqual([DLQ]);
  expect(await admin.subscriptions.list(DLQ)).toContain(INSPECTION_SUBSCRIPTION);

  let fixed = false;
  const delivered: SinkRecord[] = [];
  const sink = defineSink(async (records) => {
    const failures = [];
    for (const r of records) {
      const n = r.json<{ n: number }>().n;
      if (!fixed && n % 4 === 0) failures.push({ itemIdentifier: r.id, reason: 'invalid' as const, message: `order ${n} is invalid` });
      else if (!fixed && n % 4 === 1) failures.push({ itemIdentifier: r.id, message: `warehouse down for ${n}` });
      else delivered.push(r);
    }
    return { batchItemFailures: failures };
  });
  relay = await startRelay(config, { client, logger: silentLogger, sinks: { orders: sink } });

  const producer = await client.createProducer({ topic: TOPIC, name: 'orders-src', dispatch: 'reliable' });
  for (let n = 0; n < 12; n++) await producer.send(JSON.stringify({ n }), { key: `customer-${n % 3}`, attributes: { [RECORD_ID_ATTRIBUTE]: `order-${n}` } });
  await producer.close();
  // 0, 4, 8 invalid; 1, 5, 9 retries exhausted; the other six delivered.
  await waitFor('six delivered and six dead-lettered', () => delivered.length === 6 && relay!.status().bindings[0]!.counts.deadLettered === 6).catch((err) => {
    throw new Error(`${err.message}: ${delivered.length} ${JSON.stringify(relay!.status().bindings[0])}`);
  });

  const dlq = await openDeadLetterTopic(DLQ, { client, admin, idleMs: 300 });
  const summary = await dlq.summary();
  expect(summary).toMatchObject({ topic: DLQ, total: 6, byReason: { 'invalid-record': 3, 'retries-exhausted': 3 }, byOrigin: { 'relay:orders': 6 } });

  const invalid = await dlq.list({ reasons: ['invalid-record'] });
  expect(invalid.map((r) => r.attributes[RECORD_ID_ATTRIBUTE]).sort()).toEqual(['order-0', 'order-4', 'order-8']);
  expect(invalid[0]!.envelope).toMatchObject({ reason: 'invalid-record', origin: 'relay:orders', originalTopic: TOPIC, attempts: 1 });
  expect(invalid[0]!.preview).toEqual({ kind: 'json', text: '{\n  "n": 0\n}', truncated: false, bytes: 7 });
  expect(await dlq.list({ key: 'customer-1' })).toHaveLength(2); // 4 and 1

  // Peeking consumes nothing: the same records, read again and again.
  for (let i = 0; i < 3; i++) expect((await dlq.list()).map((r) => r.id)).toEqual((await dlq.list()).map((r) => r.id));
  expect((await dlq.summary()).total).toBe(6);

  // A dry run sends nothing and acks nothing.
  const dry = await dlq.redrive({ reasons: ['retries-exhausted'] }, { dryRun: true });
  expect(dry).toMatchObject({ dryRun: true, matched: 3, sent: 3, destinations: { [TOPIC]: 3 } });
  expect((await dlq.summary()).total).toBe(6);

  // The warehouse is back: the exhausted ones go back to the topic and reach the sink once more.
  fixed = true;
  const before = delivered.length;
  const progress: number[] = [];
  const done = await dlq.redrive({ reasons: ['retries-exhausted'] }, { ratePerSecond: 100, onProgress: (p) => progress.push(p.sent) });
  expect(done).toMatchObject({ dryRun: false, matched: 3, sent: 3, failed: 0, destinations: { [TOPIC]: 3 } });
  expect(progress.at(-1)).toBe(3);
  await waitFor('the redriven records at the sink', () => delivered.length === before + 3);
  const again = delivered.slice(before);
  expect(again.map((r) => r.attributes[RECORD_ID_ATTRIBUTE]).sort()).toEqual(['order-1', 'order-5', 'order-9']);
  for (const r of again) {
    expect(r.attributes[PRIOR_ATTEMPTS_ATTRIBUTE]).toBe('1');
    expect(Object.keys(r.attributes).filter((k) => k.startsWith('x-dlq-') || k.startsWith('x-original-'))).toEqual([]);
  }
  expect(again.find((r) => r.attributes[RECORD_ID_ATTRIBUTE] === 'order-5')!.routingKey).toBe('customer-2');

  // Only the invalid ones are left, still readable.
  expect(await dlq.summary()).toMatchObject({ total: 3, byReason: { 'invalid-record': 3 } });
  await dlq.close();
}, 60_000);

it('adds the attempts up when a redriven record fails again', async () => {
  const dlq = await openDeadLetterTopic(DLQ, { client, admin, idleMs: 300 });
  // Hand the invalid ones to a function that refuses them again: back on the topic, attempts raised.
  const failing = Object.defineProperty(
    async () => {
      throw new Error('still invalid');
    },
    'name',
    { value: 'checker' },
  );
  const result = await dlq.redrive({ reasons: ['invalid-record'] }, { invoke: failing });
  expect(result).toMatchObject({ matched: 3, sent: 0, failed: 3 });
  const back = await dlq.list({ reasons: ['invalid-record'] });
  expect(back).toHaveLength(3);
  for (const r of back) expect(r.envelope).toMatchObject({ attempts: 2, error: 'still invalid', origin: 'relay:orders' });
  await dlq.close();
}, 30_000);

it('refuses a dead-letter topic without its inspection subscription, naming the fix', async () => {
  await admin.topics.create('/default/dlq-tool-bare', { dispatch: 'reliable' });
  await expect(openDeadLetterTopic('/default/dlq-tool-bare', { client, admin })).rejects.toThrow(/no inspection subscription "danube-dlq-inspect".*dlq init/);
  await expect(openDeadLetterTopic('/default/dlq-tool-none', { client, admin })).rejects.toThrow(/does not exist/);
});
