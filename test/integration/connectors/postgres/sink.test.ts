import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSinkBatch, runSink, type EncodableRecord } from '../../../../src/sink/index.js';
import { postgresSink, type PostgresSink } from '../../../../src/connectors/postgres/index.js';
import { startPostgres, type PostgresServer } from '../../../support/postgres.js';

let server: PostgresServer;
let db: pg.Client;
const sinks: PostgresSink[] = [];

beforeAll(async () => {
  server = await startPostgres({ logical: false });
  db = new pg.Client(server.connectionString);
  await db.connect();
  await db.query(`create table orders (
    id bigint primary key, customer text not null, total numeric(12,2) check (total >= 0),
    tags jsonb, placed_at timestamptz, topic text, _danube_id text unique)`);
  await db.query(`create table stock (sku text primary key, qty integer not null, _danube_id text unique)`);
});
afterAll(async () => {
  for (const s of sinks) await s.close();
  await db?.end();
  await server?.close();
});

const utf8 = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
function message(offset: number, payload: unknown, attempt = 1): EncodableRecord {
  return {
    topic: '/default/orders-part-0',
    offset: BigInt(offset),
    publishTime: 1763800000000 + offset,
    producerName: 'p',
    attributes: { 'content-type': 'application/json' },
    attempt,
    payload: utf8(payload),
  };
}
const batch = (records: EncodableRecord[]) => encodeSinkBatch(records, { binding: 'orders-pg', topic: '/default/orders', subscription: 'orders-pg' });

function ordersSink() {
  const sink = postgresSink({
    connectionString: server.connectionString,
    table: 'orders',
    columns: [
      { column: 'id', from: '$.id', type: 'bigint', required: true },
      { column: 'customer', from: '$.customer.name' },
      { column: 'total', from: '$.total', type: 'numeric' },
      { column: 'tags', from: '$.tags', type: 'jsonb' },
      { column: 'placed_at', from: '@publishTime', type: 'timestamptz' },
      { column: 'topic', from: '@topic' },
    ],
  });
  sinks.push(sink);
  return sink;
}

const order = (id: number, extra: Record<string, unknown> = {}) => ({ id, customer: { name: `c${id}` }, total: id * 1.5, tags: ['a', id], ...extra });

describe('PostgreSQL sink', () => {
  it('inserts a batch with the column mapping, and redelivery writes nothing twice', async () => {
    const sink = ordersSink();
    const records = [1, 2, 3].map((i) => message(i, order(i)));
    const first = await runSink(sink, batch(records));
    expect(first.status).toBe('success');
    // The relay redelivers the same records (e.g. after a timeout), mixed with a new one.
    const again = await runSink(sink, batch([...records.map((r) => ({ ...r, attempt: 2 })), message(4, order(4))]));
    expect(again.status).toBe('success');
    const rows = (await db.query('select id, customer, total, tags, placed_at, topic, _danube_id from orders order by id')).rows;
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ id: '1', customer: 'c1', total: '1.50', tags: ['a', 1], topic: '/default/orders', _danube_id: '/default/orders-part-0@1' });
    expect((rows[0].placed_at as Date).getTime()).toBe(1763800000001);
  });

  it('fails only the record that violates a constraint; the rest commit', async () => {
    const sink = ordersSink();
    const records = [
      message(10, order(10)),
      message(11, order(11, { total: -5 })), // check constraint
      message(12, order(12, { customer: {} })), // not null
      message(13, order(13)),
      message(14, 'not json'),
      message(15, { customer: { name: 'x' } }), // required id missing
      message(16, order(1)), // primary key taken by another record id
    ];
    const outcome = await runSink(sink, batch(records));
    expect(outcome.status).toBe('partial');
    const failed = Object.fromEntries(outcome.failures.map((f) => [f.itemIdentifier, f]));
    expect(Object.keys(failed).sort()).toEqual([
      '/default/orders-part-0@11',
      '/default/orders-part-0@12',
      '/default/orders-part-0@14',
      '/default/orders-part-0@15',
      '/default/orders-part-0@16',
    ]);
    expect(failed['/default/orders-part-0@11']!.reason).toBe('invalid');
    expect(failed['/default/orders-part-0@11']!.message).toContain('orders_total_check');
    const ids = (await db.query('select id from orders where id >= 10 order by id')).rows.map((r) => r.id);
    expect(ids).toEqual(['10', '13']);
  });

  it('upserts on the conflict key, last record of a batch wins', async () => {
    const sink = postgresSink({
      connectionString: server.connectionString,
      table: 'stock',
      mode: 'upsert',
      conflictColumns: ['sku'],
      columns: [
        { column: 'sku', from: 'sku', required: true },
        { column: 'qty', from: 'qty', type: 'integer' },
      ],
    });
    sinks.push(sink);
    expect((await runSink(sink, batch([message(1, { sku: 'a', qty: 1 }), message(2, { sku: 'b', qty: 2 }), message(3, { sku: 'a', qty: 3 })]))).status).toBe(
      'success',
    );
    expect(
      (await runSink(sink, batch([message(4, { sku: 'b', qty: 20 }), message(5, { sku: 'c', qty: null })]))).failures.map((f) => f.itemIdentifier),
    ).toEqual(['/default/orders-part-0@5']);
    const rows = (await db.query('select sku, qty from stock order by sku')).rows;
    expect(rows).toEqual([
      { sku: 'a', qty: 3 },
      { sku: 'b', qty: 20 },
    ]);
  });

  it('splits large batches into several statements in one transaction', async () => {
    const sink = postgresSink({
      connectionString: server.connectionString,
      table: 'orders',
      maxRowsPerStatement: 7,
      columns: [
        { column: 'id', from: '$.id', type: 'bigint' },
        { column: 'customer', from: '$.customer.name' },
      ],
    });
    sinks.push(sink);
    const records = Array.from({ length: 50 }, (_, i) => message(100 + i, order(100 + i, i === 33 ? { customer: null } : {})));
    const outcome = await runSink(sink, batch(records));
    expect(outcome.failures.map((f) => f.itemIdentifier)).toEqual(['/default/orders-part-0@133']);
    expect((await db.query('select count(*)::int as n from orders where id >= 100')).rows[0].n).toBe(49);
  });

  it('rejects bad options naming the key, and reports a missing unique index clearly', async () => {
    expect(() =>
      postgresSink({ connectionString: server.connectionString, table: 'orders', columns: [{ column: 'id', from: '$.id' }], mode: 'upsert' }),
    ).toThrow(/conflictColumns/);
    expect(() =>
      postgresSink({ connectionString: server.connectionString, table: 'orders', columns: [{ column: 'id', from: '$.id' }], colums: [] } as never),
    ).toThrow(/colums: unknown key/);
    await db.query('create table no_index (id bigint, _danube_id text)');
    const sink = postgresSink({ connectionString: server.connectionString, table: 'no_index', columns: [{ column: 'id', from: '$.id', type: 'bigint' }] });
    sinks.push(sink);
    const outcome = await runSink(sink, batch([message(1, { id: 1 })]));
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.kind).toBe('fatal');
    expect(outcome.error?.message).toMatch(/unique index on \(_danube_id\)/);
  });

  it('fails the batch retryably with a clear message when the server is unreachable', async () => {
    const sink = postgresSink({
      connectionString: 'postgres://postgres@127.0.0.1:1/postgres',
      connectTimeoutMs: 1000,
      table: 'orders',
      columns: [{ column: 'id', from: '$.id' }],
    });
    sinks.push(sink);
    const outcome = await runSink(sink, batch([message(1, { id: 1 })]));
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.retryable).toBe(true);
    expect(outcome.error?.message).toMatch(/PostgreSQL unreachable.*127\.0\.0\.1:1/);
  });
});
