// `danube-connect dlq` as a user runs it, against an embedded broker over 127.0.0.1: init, summary,
// list and peek (text and --json); a dry run publishes nothing; a redrive killed midway (SIGKILL)
// and run again delivers every selected record, at least once, and empties the selection.
import { execFile, spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient, type Consumer } from '../../../src/client/index.js';
import { RECORD_ID_ATTRIBUTE } from '../../../src/core/attributes.js';
import { deadLetterAttributes } from '../../../src/core/dead-letter.js';
import { silentLogger } from '../../../src/core/logger.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const TOPIC = '/default/cli-dlq-orders';
const DLQ = '/default/cli-dlq-orders-dlq';
let broker: Broker;
let client: DanubeClient;
let env: Record<string, string>;

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/danube-connect.mjs', ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  broker = await startBroker({ port: 0, logger: silentLogger });
  client = new DanubeClient({ serviceUrl: broker.url, logger: silentLogger });
  env = { DANUBE_SERVICE_URL: broker.url, DANUBE_ADMIN_URL: broker.adminUrl, DANUBE_TOKEN: '', DANUBE_ADMIN_TOKEN: '' };
});
afterAll(async () => {
  await client?.close();
  await broker?.close();
});

/** Every record id that arrives on the original topic's subscription, in order. */
function collect(consumer: Consumer): { ids: string[]; stop(): Promise<void> } {
  const ids: string[] = [];
  const loop = (async () => {
    for await (const msg of consumer) {
      ids.push(msg.attributes[RECORD_ID_ATTRIBUTE]!);
      await consumer.ack(msg);
    }
  })().catch(() => undefined);
  return {
    ids,
    async stop() {
      await consumer.close();
      await loop;
    },
  };
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('inspects, dry-runs, and redrives across a SIGKILL without losing a record', async () => {
  const init = await cli(['dlq', 'init', DLQ]);
  expect(init).toMatchObject({ code: 0, stderr: '' });
  expect(init.stdout).toContain('inspection subscription danube-dlq-inspect created');

  // The original topic, with a subscription that sees whatever the redrive sends.
  const seed = await client.createProducer({ topic: TOPIC, name: 'seed', dispatch: 'reliable' });
  await seed.close();
  const arrived = collect(await client.subscribe({ topic: TOPIC, subscription: 'warehouse', type: 'exclusive' }));

  // Thirty dead letters as the relay writes them: ten invalid, twenty that ran out of retries.
  const dlq = await client.createProducer({ topic: DLQ, name: 'relay-dlq', dispatch: 'reliable' });
  const now = Date.now();
  for (let n = 0; n < 30; n++) {
    const attributes = deadLetterAttributes(
      { [RECORD_ID_ATTRIBUTE]: `order-${n}`, 'content-type': 'application/json' },
      {
        reason: n < 10 ? 'invalid-record' : 'retries-exhausted',
        error: n < 10 ? 'not an order' : 'HTTP 503 from warehouse',
        errorClass: n < 10 ? 'InvalidRecordError' : 'InvokeError',
        origin: 'relay:orders-wh',
        attempts: n < 10 ? 1 : 4,
        firstFailureAt: now - 60_000,
        lastFailureAt: now - 1_000,
        originalTopic: TOPIC,
        originalOffset: BigInt(n),
        originalRecordId: `order-${n}`,
        originalKey: `customer-${n % 3}`,
      },
    );
    await dlq.send(JSON.stringify({ orderId: `order-${n}`, total: n }), { attributes, key: `customer-${n % 3}` });
  }
  await dlq.close();

  const summary = await cli(['dlq', 'summary', DLQ, '--idle-ms', '300', '--json']);
  expect(summary.code, summary.stderr).toBe(0);
  expect(JSON.parse(summary.stdout)).toMatchObject({
    total: 30,
    byReason: { 'invalid-record': 10, 'retries-exhausted': 20 },
    byOrigin: { 'relay:orders-wh': 30 },
  });
  const text = await cli(['dlq', 'summary', DLQ, '--idle-ms', '300']);
  expect(text.stdout).toMatch(/30 record\(s\) not yet redriven/);
  expect(text.stdout).toMatch(/20 {2}retries-exhausted/);

  const list = await cli(['dlq', 'list', DLQ, '--reason', 'invalid-record', '--limit', '3', '--idle-ms', '300']);
  expect(list.code, list.stderr).toBe(0);
  expect(list.stdout).toMatch(/^ID +REASON +ORIGIN +ATTEMPTS +LAST FAILURE +KEY +ERROR/);
  expect(list.stdout).toContain('invalid-record  relay:orders-wh  1');
  expect(list.stdout).toContain('(7 more match: raise --limit)');
  const peek = await cli(['dlq', 'peek', DLQ, '--key', 'customer-1', '--limit', '1', '--idle-ms', '300']);
  expect(peek.stdout).toContain('reason      invalid-record (InvalidRecordError) after 1 attempt(s), by relay:orders-wh');
  expect(peek.stdout).toContain('payload     json, 31 bytes:\n  {\n    "orderId": "order-1",');
  const json = JSON.parse((await cli(['dlq', 'list', DLQ, '--since', '5m', '--json', '--limit', '1', '--idle-ms', '300'])).stdout);
  expect(json).toMatchObject({ topic: DLQ, total: 30, records: [{ envelope: { reason: 'invalid-record', originalRecordId: 'order-0' } }] });

  // A dry run publishes nothing.
  const dry = await cli(['dlq', 'redrive', DLQ, '--reason', 'retries-exhausted', '--dry-run', '--json', '--idle-ms', '300']);
  expect(dry.code, dry.stderr).toBe(0);
  expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, matched: 20, sent: 20, destinations: { [TOPIC]: 20 } });
  await new Promise((r) => setTimeout(r, 500));
  expect(arrived.ids).toEqual([]);

  // A slow redrive, killed midway.
  const child = spawn(
    process.execPath,
    ['bin/danube-connect.mjs', 'dlq', 'redrive', DLQ, '--reason', 'retries-exhausted', '--rate', '10', '--idle-ms', '300'],
    {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    },
  );
  try {
    await waitFor('the first redriven records', () => arrived.ids.length >= 5, 20_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  const partial = arrived.ids.length;
  expect(partial).toBeLessThan(20);

  // Run again: the rest goes, what went already does not go again (beyond the one in flight).
  const rerun = await cli(['dlq', 'redrive', DLQ, '--reason', 'retries-exhausted', '--json', '--idle-ms', '300']);
  expect(rerun.code, rerun.stderr).toBe(0);
  const done = JSON.parse(rerun.stdout) as { sent: number; matched: number };
  expect(done.matched).toBeGreaterThanOrEqual(20 - partial);
  expect(done.matched).toBeLessThanOrEqual(20 - partial + 1);
  await waitFor('every selected record', () => new Set(arrived.ids).size === 20, 10_000);
  const expected = Array.from({ length: 20 }, (_, i) => `order-${i + 10}`).sort();
  expect([...new Set(arrived.ids)].sort()).toEqual(expected);
  expect(arrived.ids.length - 20).toBeLessThanOrEqual(1);
  await arrived.stop();

  // Only the invalid ones are left.
  const after = JSON.parse((await cli(['dlq', 'summary', DLQ, '--json', '--idle-ms', '300'])).stdout);
  expect(after).toMatchObject({ total: 10, byReason: { 'invalid-record': 10 } });
}, 120_000);
