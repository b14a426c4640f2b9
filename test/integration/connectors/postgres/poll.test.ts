import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../../src/broker/index.js';
import { MemoryCheckpointStore } from '../../../../src/checkpoint/index.js';
import { DanubeClient, type Consumer, type DanubeMessage } from '../../../../src/client/index.js';
import { RetryableError, silentLogger } from '../../../../src/core/index.js';
import { postgresPollSource, type PostgresPollSource, type PostgresPollSourceOptions } from '../../../../src/connectors/postgres/index.js';
import { runSource } from '../../../../src/source/index.js';
import { startPostgres, type PostgresServer } from '../../../support/postgres.js';

let server: PostgresServer;
let broker: Broker;
let client: DanubeClient;
let db: pg.Client;
const sources: PostgresPollSource[] = [];
const consumers: Consumer[] = [];

beforeAll(async () => {
  [server, broker] = await Promise.all([startPostgres({ logical: false }), startBroker({ port: 0 })]);
  client = new DanubeClient({ serviceUrl: broker.url, connectTimeoutMs: 5_000, requestTimeoutMs: 5_000 });
  db = new pg.Client(server.connectionString);
  await db.connect();
});
afterAll(async () => {
  for (const s of sources) await s.close().catch(() => undefined);
  for (const c of consumers) await c.close().catch(() => undefined);
  await db?.end();
  await client?.close();
  await broker?.close();
  await server?.close();
});

function source(name: string, extra: Partial<PostgresPollSourceOptions> & Pick<PostgresPollSourceOptions, 'table' | 'idColumn'>): PostgresPollSource {
  const s = postgresPollSource({ name, topic: `/default/${name}`, connectionString: server.connectionString, ...extra });
  sources.push(s);
  return s;
}

async function subscribe(topic: string): Promise<Consumer> {
  const producer = await client.createProducer({ topic, name: `setup-${topic.split('/').pop()}`, dispatch: 'reliable' });
  await producer.close();
  const consumer = await client.subscribe({ topic, subscription: 'test', type: 'exclusive' });
  consumers.push(consumer);
  return consumer;
}

async function drain(consumer: Consumer, quietMs = 300): Promise<DanubeMessage[]> {
  const out: DanubeMessage[] = [];
  for (;;) {
    const m = await consumer.receive({ timeoutMs: quietMs });
    if (!m) return out;
    out.push(m);
    await consumer.ack(m);
  }
}
const body = (m: DanubeMessage) => JSON.parse(Buffer.from(m.payload).toString());
const run = (s: PostgresPollSource, store: MemoryCheckpointStore) => runSource(s, { client, store, budgetMs: 10_000, logger: silentLogger });

describe('PostgreSQL polling source', () => {
  it('publishes new rows by id, in batches, resuming from the committed checkpoint', async () => {
    await db.query(`create table events (id bigserial primary key, kind text, payload jsonb)`);
    await db.query(`insert into events (kind, payload) select 'k' || g, jsonb_build_object('n', g) from generate_series(1, 25) g`);
    const s = source('poll-ids', { table: 'events', idColumn: 'id', batchSize: 10 });
    const store = new MemoryCheckpointStore();
    const consumer = await subscribe('/default/poll-ids');
    const first = await run(s, store);
    expect(first.recordsPublished).toBe(25);
    expect(first.batches).toBe(3);
    expect(first.checkpointAfter).toEqual({ id: '25' });
    const messages = await drain(consumer);
    expect(messages.map((m) => body(m).after.id)).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
    expect(body(messages[0]!)).toEqual({
      op: 'insert',
      schema: 'public',
      table: 'events',
      key: { id: '1' },
      after: { id: '1', kind: 'k1', payload: { n: 1 } },
    });
    expect(messages[0]!.attributes).toMatchObject({ source: 'postgres-poll', table: 'public.events', op: 'insert' });
    expect(messages[0]!.routingKey).toBe('public.events:["1"]');

    await db.query(`insert into events (kind) values ('late')`);
    expect((await run(s, store)).recordsPublished).toBe(1);
    expect((await drain(consumer)).map((m) => body(m).after.kind)).toEqual(['late']);
    expect((await run(s, store)).recordsPublished).toBe(0);
  });

  it('follows updates by updated_at with the id as tie-break, leaving rows younger than the lag', async () => {
    await db.query(`create table accounts (id int primary key, name text, updated_at timestamptz not null)`);
    await db.query(`insert into accounts values (1, 'a', '2026-01-01 00:00:00+00'), (2, 'b', '2026-01-01 00:00:00+00'), (3, 'c', '2026-01-01 00:00:01+00')`);
    await db.query(`insert into accounts values (4, 'fresh', now())`);
    const s = source('poll-ts', { table: 'accounts', idColumn: 'id', timestampColumn: 'updated_at', lagMs: 60_000, batchSize: 2 });
    const store = new MemoryCheckpointStore();
    const consumer = await subscribe('/default/poll-ts');
    await run(s, store);
    let got = (await drain(consumer)).map(body);
    expect(got.map((e) => [e.op, e.after.name])).toEqual([
      ['upsert', 'a'],
      ['upsert', 'b'],
      ['upsert', 'c'],
    ]);
    expect(got[0].after.updated_at).toBe('2026-01-01T00:00:00Z');
    // An update moves the row forward; the same timestamp as the checkpoint with a larger id is still read.
    await db.query(`update accounts set name = 'a2', updated_at = '2026-01-02 00:00:00+00' where id = 1`);
    await db.query(`insert into accounts values (5, 'e', '2026-01-01 00:00:01+00')`);
    await run(s, store);
    got = (await drain(consumer)).map(body);
    expect(got.map((e) => e.after.name)).toEqual(['e', 'a2']);
  });

  it('reports a missing table as fatal and an unreachable server as retryable', async () => {
    const poll = (s: PostgresPollSource) => s.poll({ checkpoint: undefined, signal: AbortSignal.timeout(5_000), logger: silentLogger });
    await expect(poll(source('poll-missing', { table: 'nope', idColumn: 'id' }))).rejects.toThrow(
      /missing object: cannot poll nope.*relation "public.nope" does not exist/,
    );
    const down = poll(
      source('poll-down', { table: 'events', idColumn: 'id', connectionString: 'postgres://postgres@127.0.0.1:1/postgres', connectTimeoutMs: 1000 }),
    );
    await expect(down).rejects.toBeInstanceOf(RetryableError);
    await expect(down).rejects.toThrow(/unreachable.*127\.0\.0\.1:1/);
    expect(() => source('poll-bad', { table: 'events', idColumn: 'id', batchsize: 5 } as never)).toThrow(/batchsize: unknown key/);
  });
});
