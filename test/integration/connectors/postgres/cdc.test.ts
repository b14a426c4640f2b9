import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../../src/broker/index.js';
import { MemoryCheckpointStore, type Lease } from '../../../../src/checkpoint/index.js';
import { DanubeClient, type Consumer, type DanubeMessage } from '../../../../src/client/index.js';
import { FatalError, RetryableError, silentLogger } from '../../../../src/core/index.js';
import {
  parsePostgresCdcOptions,
  postgresCdcSource,
  type ChangeEvent,
  type PostgresCdcSource,
  type PostgresCdcSourceOptions,
} from '../../../../src/connectors/postgres/index.js';
import { CdcSession } from '../../../../src/connectors/postgres/cdc/session.js';
import { runSource, SourceRunError } from '../../../../src/source/index.js';
import { startPostgres, type PostgresServer } from '../../../support/postgres.js';

let server: PostgresServer;
let broker: Broker;
let client: DanubeClient;
let db: pg.Client;
const sources: PostgresCdcSource[] = [];
const consumers: Consumer[] = [];

beforeAll(async () => {
  [server, broker] = await Promise.all([startPostgres({ settings: { synchronous_commit: 'on' } }), startBroker({ port: 0 })]);
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

/** Fails the first `failures` commits after letting `pass` succeed: the run crashes after publishing. */
class CrashingStore extends MemoryCheckpointStore {
  constructor(
    private pass: number,
    private failures = 1,
  ) {
    super();
  }
  override async commit<C>(lease: Lease<C>, checkpoint: C, ttlMs?: number): Promise<Lease<C>> {
    if (this.pass > 0) this.pass--;
    else if (this.failures > 0) {
      this.failures--;
      throw new FatalError('simulated crash between publish and commit');
    }
    return super.commit(lease, checkpoint, ttlMs);
  }
}

function cdc(name: string, extra: Partial<PostgresCdcSourceOptions> = {}): PostgresCdcSource {
  const source = postgresCdcSource({
    name,
    topic: `/default/${name}`,
    connectionString: server.connectionString,
    slot: name.replace(/-/g, '_'),
    publication: name.replace(/-/g, '_'),
    tables: [name.replace(/-/g, '_')],
    maxBatchWaitMs: 300,
    ...extra,
  });
  sources.push(source);
  return source;
}

const run = (source: PostgresCdcSource, store: MemoryCheckpointStore) => runSource(source, { client, store, budgetMs: 15_000, logger: silentLogger });

async function subscribe(topic: string): Promise<Consumer> {
  // The topic must exist before a subscription; the source's own producer then reuses it.
  const producer = await client.createProducer({ topic, name: `setup-${topic.split('/').pop()}`, dispatch: 'reliable' });
  await producer.close();
  const consumer = await client.subscribe({ topic, subscription: `test-${topic.split('/').pop()}`, type: 'exclusive' });
  consumers.push(consumer);
  return consumer;
}

/** Everything that arrives until the topic stays quiet for `quietMs`. */
async function drain(consumer: Consumer, quietMs = 400): Promise<DanubeMessage[]> {
  const out: DanubeMessage[] = [];
  for (;;) {
    const m = await consumer.receive({ timeoutMs: quietMs });
    if (!m) return out;
    out.push(m);
    await consumer.ack(m);
  }
}

const eventOf = (m: DanubeMessage) => JSON.parse(Buffer.from(m.payload).toString()) as ChangeEvent;

async function confirmedLsn(slot: string): Promise<string> {
  return (await db.query('select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1', [slot])).rows[0].lsn;
}

describe('PostgreSQL CDC source', () => {
  it('publishes every operation in commit order with decoded values, key and attributes', async () => {
    await db.query(`create table cdc_ops (id int primary key, name text, big bigint, price numeric(10,2), ok boolean,
      doc jsonb, at timestamptz, day date, raw bytea, tags text[])`);
    const source = cdc('cdc-ops');
    const store = new MemoryCheckpointStore();
    const consumer = await subscribe('/default/cdc-ops');
    expect((await run(source, store)).recordsPublished).toBe(0); // creates publication and slot
    await db.query(`insert into cdc_ops values (1, 'a', 9007199254740993, 12.50, true, '{"x":[1,2]}',
      '2026-01-02 03:04:05.123456+00', '2026-01-02', '\\x0102', '{a,"b c",NULL}')`);
    await db.query(`insert into cdc_ops (id, name) values (2, 'two')`);
    await db.query(`begin; update cdc_ops set name = 'b' where id = 1; delete from cdc_ops where id = 2; commit`);
    await db.query(`truncate cdc_ops`);
    const summary = await run(source, store);
    expect(summary.recordsPublished).toBe(5);
    const messages = await drain(consumer);
    const events = messages.map(eventOf);
    expect(events.map((e) => e.op)).toEqual(['insert', 'insert', 'update', 'delete', 'truncate']);
    expect(events[0]).toMatchObject({
      schema: 'public',
      table: 'cdc_ops',
      key: { id: 1 },
      before: null,
      after: {
        id: 1,
        name: 'a',
        big: '9007199254740993',
        price: '12.50',
        ok: true,
        doc: { x: [1, 2] },
        at: '2026-01-02T03:04:05.123456Z',
        day: '2026-01-02',
        raw: 'AQI=',
        tags: ['a', 'b c', null],
      },
    });
    expect(events[0]!.commitTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(events[0]!.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(typeof events[0]!.xid).toBe('number');
    expect(events[2]).toMatchObject({ op: 'update', key: { id: 1 }, after: { name: 'b' } });
    expect(events[3]).toMatchObject({ op: 'delete', key: { id: 2 }, before: { id: 2 }, after: null });
    expect(events[3]!.before).toEqual({ id: 2 }); // only the replica identity is known for a delete
    expect(events[2]!.xid).toBe(events[3]!.xid); // same transaction
    expect(events[4]).toMatchObject({ op: 'truncate', table: 'cdc_ops', key: null });
    expect(messages[0]!.attributes).toMatchObject({ source: 'postgres-cdc', table: 'public.cdc_ops', op: 'insert' });
    expect(messages[0]!.routingKey).toBe('public.cdc_ops:[1]');
    expect(messages[2]!.routingKey).toBe('public.cdc_ops:[1]');

    // Nothing new: the next run publishes nothing, and PostgreSQL has been told it may forget.
    const lsnAfterRun = (summary.checkpointAfter as { lsn: string }).lsn;
    expect(await confirmedLsn('cdc_ops')).toBe(lsnAfterRun); // confirmed once committed
    expect((await run(source, store)).recordsPublished).toBe(0);
    expect(await confirmedLsn('cdc_ops')).toBe(lsnAfterRun);
    expect(await drain(consumer, 200)).toHaveLength(0);
  });

  it('marks unchanged TOASTed columns instead of inventing them, and sees REPLICA IDENTITY FULL rows', async () => {
    await db.query(`create table cdc_toast (id int primary key, small text, big text)`);
    await db.query(`alter table cdc_toast alter column big set storage external`);
    const source = cdc('cdc-toast', { ordering: 'key' });
    const store = new MemoryCheckpointStore();
    const consumer = await subscribe('/default/cdc-toast');
    await run(source, store);
    await db.query(`insert into cdc_toast values (1, 's', repeat('x', 20000))`);
    await db.query(`update cdc_toast set small = 't' where id = 1`);
    await db.query(`alter table cdc_toast replica identity full`);
    await db.query(`update cdc_toast set small = 'u' where id = 1`);
    await run(source, store);
    const messages = await drain(consumer);
    const events = messages.map(eventOf);
    expect(events).toHaveLength(3);
    // The primary key stays the key under REPLICA IDENTITY FULL, so the row's changes stay together.
    expect(messages.map((m) => m.routingKey)).toEqual(Array(3).fill('public.cdc_toast:[1]'));
    expect(events[2]!.key).toEqual({ id: 1 });
    expect((events[0]!.after!.big as string).length).toBe(20000);
    expect(events[1]!.after).toEqual({ id: 1, small: 't', big: { $unchangedToast: true } });
    expect(events[1]!.before).toBeNull();
    expect(events[2]!.before).toMatchObject({ id: 1, small: 't' });
    expect(events[2]!.after).toMatchObject({ id: 1, small: 'u' });
  });

  it('picks up a schema change in the middle of the stream', async () => {
    await db.query(`create table cdc_schema (id int primary key, a text)`);
    const source = cdc('cdc-schema');
    const store = new MemoryCheckpointStore();
    const consumer = await subscribe('/default/cdc-schema');
    await run(source, store);
    await db.query(`insert into cdc_schema values (1, 'one')`);
    await db.query(`alter table cdc_schema add column b jsonb default '{"v":1}'`);
    await db.query(`insert into cdc_schema values (2, 'two', '[2]')`);
    await db.query(`alter table cdc_schema drop column a`);
    await db.query(`alter table cdc_schema alter column b type text`);
    await db.query(`update cdc_schema set b = 'text now' where id = 1`);
    await run(source, store);
    const events = (await drain(consumer)).map(eventOf);
    expect(events.map((e) => e.after)).toEqual([
      { id: 1, a: 'one' },
      { id: 2, a: 'two', b: [2] },
      { id: 1, b: 'text now' },
    ]);
  });

  it('replays from the last confirmed LSN after a crash between publish and commit: nothing lost', async () => {
    await db.query(`create table cdc_crash (id int primary key, v text)`);
    const slot = 'cdc_crash';
    const first = cdc('cdc-crash');
    const store = new CrashingStore(1); // the set-up run commits, the next one crashes
    const consumer = await subscribe('/default/cdc-crash');
    await run(first, store);
    const before = await confirmedLsn(slot);
    for (let i = 1; i <= 5; i++) await db.query(`insert into cdc_crash values ($1, $2)`, [i, `v${i}`]);
    await expect(run(first, store)).rejects.toBeInstanceOf(SourceRunError);
    const published = await drain(consumer);
    expect(published.map((m) => eventOf(m).after!.id)).toEqual([1, 2, 3, 4, 5]);
    expect(await confirmedLsn(slot)).toBe(before); // never confirmed what was not committed
    // The failed run still ended its stream, so the slot is free.
    expect((await db.query('select active from pg_replication_slots where slot_name = $1', [slot])).rows[0].active).toBe(false);

    // A crashed (or frozen) process can leave its replication connection open, holding the slot.
    const stale = await CdcSession.open(
      parsePostgresCdcOptions({ connectionString: server.connectionString, slot, publication: slot }),
      { lsn: before },
      silentLogger,
    );
    const holder = (await db.query('select active_pid from pg_replication_slots where slot_name = $1', [slot])).rows[0].active_pid;
    expect(holder).toBeTruthy();
    // A new process (fresh source) takes the slot over and replays from the confirmed LSN.
    await db.query(`insert into cdc_crash values (6, 'v6')`);
    const second = cdc('cdc-crash');
    const summary = await run(second, store);
    expect(summary.stopReason).toBe('done');
    const replayed = await drain(consumer);
    expect(replayed.map((m) => eventOf(m).after!.id)).toEqual([1, 2, 3, 4, 5, 6]);
    // The duplicates are recognisable: same record id both times.
    const ids = (ms: DanubeMessage[]) => ms.map((m) => m.attributes['x-danube-record-id']);
    expect(ids(replayed).slice(0, 5)).toEqual(ids(published));
    await stale.close();
    await run(second, store);
    expect(await confirmedLsn(slot)).toBe((summary.checkpointAfter as { lsn: string }).lsn);
  });

  it('carries a transaction larger than a batch across runs without losing or repeating committed parts', async () => {
    await db.query(`create table cdc_big (id int primary key)`);
    const source = cdc('cdc-big', { maxBatchChanges: 10 });
    const store = new CrashingStore(2); // set-up run, first batch of 10 commit; the second batch crashes
    const consumer = await subscribe('/default/cdc-big');
    await run(source, store);
    await db.query(`insert into cdc_big select g from generate_series(1, 25) g`);
    await expect(run(source, store)).rejects.toBeInstanceOf(SourceRunError);
    const firstRun = (await drain(consumer)).map((m) => eventOf(m).after!.id);
    expect(firstRun).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const committed = (await store.get(`default/cdc-big`))?.checkpoint as { partial?: { changes: number } };
    expect(committed.partial?.changes).toBe(10);

    await run(source, store);
    const secondRun = (await drain(consumer)).map((m) => eventOf(m).after!.id);
    // Changes 1-10 were committed inside the open transaction and are not sent again.
    expect(secondRun).toEqual(Array.from({ length: 15 }, (_, i) => i + 11));
  });

  it('confirms exactly the checkpoint: a transaction whose commit record starts right there is still delivered next run', async () => {
    await db.query(`create table cdc_adjacent (id int primary key)`);
    await db.query(`create publication cdc_adjacent for table cdc_adjacent`);
    await db.query(`select pg_create_logical_replication_slot('cdc_adjacent', 'pgoutput')`);
    // B writes its row first; A commits; B commits at once: B's commit record begins where A's ends.
    const other = new pg.Client(server.connectionString);
    await other.connect();
    await other.query('begin');
    await other.query('insert into cdc_adjacent values (2)');
    await db.query('insert into cdc_adjacent values (1)');
    await other.query('commit');
    await other.end();
    const options = parsePostgresCdcOptions({ connectionString: server.connectionString, slot: 'cdc_adjacent', publication: 'cdc_adjacent' });
    const first = await CdcSession.open(options, { lsn: '0/0' }, silentLogger);
    const read = await first.read(AbortSignal.timeout(10_000));
    await first.close();
    const [a, b] = read.changes;
    expect([a!.event.after!.id, b!.event.after!.id]).toEqual([1, 2]);
    // B's first change carries the checkpoint "everything up to A's end": confirm that, as a run
    // that published A but not B would, then start again from it.
    const afterA = b!.checkpoint.lsn;
    const again = await CdcSession.open(options, { lsn: afterA }, silentLogger);
    again.confirm({ lsn: afterA });
    await again.close();
    expect(await confirmedLsn('cdc_adjacent')).toBe(afterA);
    const next = await CdcSession.open(options, { lsn: afterA }, silentLogger);
    const replay = await next.read(AbortSignal.timeout(10_000));
    await next.close();
    expect(replay.changes.map((c) => c.event.after!.id)).toEqual([2]);
    expect(replay.changes[0]!.event.commitLsn).toBe(afterA);
  });

  it('decodes every change intact when the server keeps sending while a batch is being published', async () => {
    await db.query(`create table cdc_backlog (id int primary key, name text, doc jsonb)`);
    await db.query(`create publication cdc_backlog for table cdc_backlog`);
    await db.query(`select pg_create_logical_replication_slot('cdc_backlog', 'pgoutput')`);
    for (let from = 1; from <= 3_000; from += 100) {
      await db.query(`insert into cdc_backlog select g, 'name ' || g, jsonb_build_object('g', g) from generate_series($1::int, $2::int) g`, [from, from + 99]);
    }
    const options = parsePostgresCdcOptions({
      connectionString: server.connectionString,
      slot: 'cdc_backlog',
      publication: 'cdc_backlog',
      maxBatchChanges: 500,
    });
    const session = await CdcSession.open(options, { lsn: '0/0' }, silentLogger);
    const ids: number[] = [];
    try {
      for (;;) {
        const r = await session.read(AbortSignal.timeout(10_000));
        for (const c of r.changes) {
          const after = c.event.after as { id: number; name: string; doc: { g: number } };
          expect(after).toEqual({ id: after.id, name: `name ${after.id}`, doc: { g: after.id } });
          ids.push(after.id);
        }
        if (r.caughtUp) break;
        // Frames queue up meanwhile, as they do while a run publishes a batch.
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    } finally {
      await session.close();
    }
    expect(ids).toEqual(Array.from({ length: 3_000 }, (_, i) => i + 1));
  });

  it('with follow, keeps streaming new commits until the run budget ends', async () => {
    await db.query(`create table cdc_follow (id int primary key)`);
    const source = cdc('cdc-follow', { follow: true, maxBatchWaitMs: 100 });
    const store = new MemoryCheckpointStore();
    const consumer = await subscribe('/default/cdc-follow');
    await runSource(source, { client, store, budgetMs: 1_000, safetyMarginMs: 200, logger: silentLogger }); // set-up
    const writer = (async () => {
      for (let i = 1; i <= 5; i++) {
        await new Promise((r) => setTimeout(r, 150));
        await db.query('insert into cdc_follow values ($1)', [i]);
      }
    })();
    const started = Date.now();
    const summary = await runSource(source, { client, store, budgetMs: 2_500, safetyMarginMs: 300, logger: silentLogger });
    await writer;
    // It ran until its budget was (nearly) spent, not only until it had caught up.
    expect(Date.now() - started).toBeGreaterThan(1_500);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(summary.recordsPublished).toBe(5);
    expect((await drain(consumer)).map((m) => eventOf(m).after!.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('names the missing grant when the role may not replicate or create the publication', async () => {
    await db.query(`create table cdc_grants (id int primary key)`);
    await db.query(`create role app_plain login`);
    await db.query(`create role app_repl login replication`);
    const url = (role: string) => server.connectionString.replace('postgres@', `${role}@`);
    const poll = (s: PostgresCdcSource) => s.poll({ checkpoint: undefined, signal: AbortSignal.timeout(5_000), logger: silentLogger });

    await expect(poll(cdc('cdc-grants', { connectionString: url('app_repl') }))).rejects.toThrow(/cannot create publication "cdc_grants".*ownership/);
    await db.query(`create publication cdc_grants for table cdc_grants`);
    const plain = poll(cdc('cdc-grants', { connectionString: url('app_plain') }));
    await expect(plain).rejects.toBeInstanceOf(FatalError);
    await expect(plain).rejects.toThrow(/REPLICATION attribute/);
    await expect(poll(cdc('cdc-grants', { connectionString: url('app_repl'), createSlot: false }))).rejects.toThrow(
      /slot "cdc_grants" does not exist.*createSlot is false/,
    );
  });

  it('reports an unreachable server as a retryable error naming the address', async () => {
    const source = cdc('cdc-down', { connectionString: 'postgres://postgres@127.0.0.1:1/postgres', connectTimeoutMs: 1000 });
    const attempt = source.poll({ checkpoint: undefined, signal: AbortSignal.timeout(5_000), logger: silentLogger });
    await expect(attempt).rejects.toBeInstanceOf(RetryableError);
    await expect(attempt).rejects.toThrow(/unreachable.*127\.0\.0\.1:1/);
  });
});
