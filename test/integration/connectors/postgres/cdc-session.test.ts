import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/core/index.js';
import { CdcSession, type CdcCheckpoint, type CapturedChange } from '../../../../src/connectors/postgres/cdc/session.js';
import { parsePostgresCdcOptions } from '../../../../src/connectors/postgres/cdc/options.js';
import { ensureReplicationSetup } from '../../../../src/connectors/postgres/cdc/setup.js';
import { startPostgres, type PostgresServer } from '../../../support/postgres.js';

let server: PostgresServer;
let db: pg.Client;

beforeAll(async () => {
  server = await startPostgres({ settings: { synchronous_commit: 'on' } });
  db = new pg.Client(server.connectionString);
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await server?.close();
});

async function readAll(slot: string, from: CdcCheckpoint | undefined, extra: Record<string, unknown> = {}) {
  const options = parsePostgresCdcOptions({ connectionString: server.connectionString, slot, publication: slot, ...extra });
  const state = await ensureReplicationSetup(options, silentLogger);
  const session = await CdcSession.open(options, from ?? { lsn: state.confirmedFlushLsn ?? '0/0' }, silentLogger);
  const changes: CapturedChange[] = [];
  let checkpoint = from;
  try {
    for (let i = 0; i < 50; i++) {
      const r = await session.read(AbortSignal.timeout(5000));
      changes.push(...r.changes);
      checkpoint = r.checkpoint;
      if (r.caughtUp) break;
    }
  } finally {
    await session.close();
  }
  return { changes, checkpoint: checkpoint!, options };
}

describe('CDC session', () => {
  it('decodes every operation', async () => {
    await db.query(`create table t1 (id int primary key, name text, big bigint, price numeric(10,2), ok boolean,
      doc jsonb, at timestamptz, day date, raw bytea, tags text[])`);
    let t = Date.now();
    const first = await readAll('s1', undefined);
    console.log("first", Date.now() - t);
    expect(first.changes).toHaveLength(0);
    await db.query(`insert into t1 values (1, 'a', 9007199254740993, 12.50, true, '{"x":[1,2]}', '2026-01-02 03:04:05.123456+00', '2026-01-02', '\\x0102', '{a,"b c",NULL}')`);
    await db.query(`update t1 set name = 'b' where id = 1`);
    await db.query(`delete from t1 where id = 1`);
    await db.query(`truncate t1`);
    t = Date.now();
    const second = await readAll("s1", first.checkpoint);
    console.log("second", Date.now() - t);
    const events = second.changes.map((c) => c.event);
    expect(events.map((e) => e.op)).toEqual(['insert', 'update', 'delete', 'truncate']);

  });
});
