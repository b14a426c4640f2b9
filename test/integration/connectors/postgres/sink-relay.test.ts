// The PostgreSQL sink behind the real relay: redelivered batches (a function that wrote its rows
// but failed before answering, and a relay restart) never write a row twice.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../../src/broker/index.js';
import { DanubeClient } from '../../../../src/client/index.js';
import { RetryableError, silentLogger } from '../../../../src/core/index.js';
import { postgresSink, type PostgresSink } from '../../../../src/connectors/postgres/index.js';
import { startRelay, type Relay } from '../../../../src/relay/index.js';
import { defineSink } from '../../../../src/sink/index.js';
import { startPostgres, type PostgresServer } from '../../../support/postgres.js';

let server: PostgresServer;
let broker: Broker;
let client: DanubeClient;
let db: pg.Client;
let sink: PostgresSink;

beforeAll(async () => {
  [server, broker] = await Promise.all([
    startPostgres({ logical: false }),
    startBroker({ port: 0, dispatch: { maxUnackedMessages: 1000 }, logger: silentLogger }),
  ]);
  client = new DanubeClient({ serviceUrl: broker.url, logger: silentLogger });
  db = new pg.Client(server.connectionString);
  await db.connect();
  await db.query(`create table readings (sensor text not null, seq int not null, value double precision, _danube_id text unique)`);
  sink = postgresSink({
    connectionString: server.connectionString,
    table: 'readings',
    columns: [
      { column: 'sensor', from: '$.sensor' },
      { column: 'seq', from: '$.seq', type: 'integer' },
      { column: 'value', from: '$.value', type: 'double precision' },
    ],
  });
});
afterAll(async () => {
  await sink?.close();
  await db?.end();
  await client?.close();
  await broker?.close();
  await server?.close();
});

async function waitFor(cond: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const count = async () => (await db.query<{ n: number }>('select count(*)::int as n from readings')).rows[0]!.n;

describe('PostgreSQL sink behind the relay', () => {
  it('writes every record exactly once across failed answers and a relay restart', async () => {
    const topic = '/default/readings';
    broker.admin.createTopic(topic, { dispatch: 'reliable' });
    let invocations = 0;
    // Writes the batch, then fails the first two invocations as if the function had crashed
    // before answering: the relay delivers those records again.
    const flaky = defineSink(async (records, ctx) => {
      const answer = await sink.handler(records, ctx);
      if (++invocations <= 2) throw new RetryableError('function crashed after writing');
      return answer;
    });
    const config = {
      bindings: [
        {
          name: 'readings-pg',
          topic,
          subscription: { name: 'readings-pg', maxUnackedMessages: 1000 },
          function: { type: 'local' as const, module: 'unused' },
          batchSize: 10,
          maxBatchingWindowMs: 20,
          retryBackoff: { initialDelayMs: 10, maxDelayMs: 50 },
          maxRetryAttempts: 5,
        },
      ],
    };
    let relay: Relay = await startRelay(config, { client, sinks: { 'readings-pg': flaky }, logger: silentLogger });
    const producer = await client.createProducer({ topic, name: 'sensors', dispatch: 'reliable' });
    const send = (from: number, n: number) =>
      Promise.all(Array.from({ length: n }, (_, k) => producer.send(JSON.stringify({ sensor: `s${(from + k) % 3}`, seq: from + k, value: (from + k) / 2 }))));
    await send(0, 30);
    await waitFor(async () => (await count()) >= 30, '30 rows');
    await relay.close();

    await send(30, 20); // published while no relay runs
    relay = await startRelay(config, { client, sinks: { 'readings-pg': sink }, logger: silentLogger });
    await waitFor(async () => (await count()) >= 50, '50 rows');
    await waitFor(async () => relay.status().bindings[0]!.counts.succeeded >= 20, 'acks after the restart');
    await relay.close();
    await producer.close();

    expect(invocations).toBeGreaterThan(2);
    const rows = (await db.query('select seq, count(*)::int as n from readings group by seq order by seq')).rows;
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(rows.every((r) => r.n === 1)).toBe(true);
  });
});
