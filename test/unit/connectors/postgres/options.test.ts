import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/index.js';
import { parsePostgresCdcOptions, parsePostgresPollOptions, parsePostgresSinkOptions } from '../../../../src/connectors/postgres/index.js';
import { buildPollQuery } from '../../../../src/connectors/postgres/poll/source.js';
import { RowWriter } from '../../../../src/connectors/postgres/sink/writer.js';

const url = 'postgres://app@127.0.0.1:5432/shop';

describe('PostgreSQL connector options', () => {
  it('fills CDC defaults and names unknown or bad keys', () => {
    expect(parsePostgresCdcOptions({ connectionString: url })).toMatchObject({
      slot: 'danube_cdc',
      publication: 'danube_cdc',
      createSlot: true,
      createPublication: true,
      maxBatchChanges: 1000,
      follow: false,
    });
    expect(() => parsePostgresCdcOptions({ connectionString: url, slots: 'x' } as never)).toThrow(/slots: unknown key/);
    expect(() => parsePostgresCdcOptions({ connectionString: url, slot: 'Bad-Name' })).toThrow(ConfigError);
    expect(() => parsePostgresCdcOptions({ connectionString: 'mysql://x' })).toThrow(/connectionString/);
  });

  it('builds the polling query for the id and the timestamp modes', () => {
    const byId = parsePostgresPollOptions({ connectionString: url, table: 'sales.orders', idColumn: 'id', batchSize: 50 });
    expect(buildPollQuery(byId, { id: '41' })).toEqual({
      text: 'select *, "id"::text as "__danube_id" from "sales"."orders" where "id" > $1 order by "id" limit $2',
      values: ['41', 50],
    });
    const byTs = parsePostgresPollOptions({ connectionString: url, table: 'orders', idColumn: 'id', timestampColumn: 'updated_at', lagMs: 2000 });
    const q = buildPollQuery(byTs, { id: '7', ts: '2026-01-01 00:00:00+00' });
    expect(q.text).toContain('("updated_at", "id") > ($1, $2)');
    expect(q.text).toContain('"updated_at" < now() - make_interval(secs => 2)');
    expect(q.text).toContain('order by "updated_at", "id" limit $3');
    expect(buildPollQuery(byTs, { id: '' }).text).not.toContain('$2'); // empty table so far: from the start
  });

  it('checks sink mappings and builds INSERT / upsert statements', () => {
    expect(() =>
      parsePostgresSinkOptions({
        connectionString: url,
        table: 't',
        columns: [
          { column: 'a', from: '$.a' },
          { column: 'a', from: '$.b' },
        ],
      }),
    ).toThrow(/mapped twice/);
    expect(() => parsePostgresSinkOptions({ connectionString: url, table: 't', columns: [{ column: 'a', from: '$.a', type: 'varchar' as never }] })).toThrow(
      /columns\.0\.type/,
    );
    expect(() =>
      parsePostgresSinkOptions({ connectionString: url, table: 't', mode: 'upsert', conflictColumns: ['b'], columns: [{ column: 'a', from: '$.a' }] }),
    ).toThrow(/conflict column/);
    const insert = new RowWriter(parsePostgresSinkOptions({ connectionString: url, table: 't', columns: [{ column: 'a', from: '$.a', type: 'bigint' }] }));
    expect(insert.statement(2)).toBe(
      'insert into "public"."t" ("a", "_danube_id") values ($1::bigint, $2::text), ($3::bigint, $4::text) on conflict ("_danube_id") do nothing',
    );
    const upsert = new RowWriter(
      parsePostgresSinkOptions({
        connectionString: url,
        table: 't',
        mode: 'upsert',
        conflictColumns: ['k'],
        idColumn: null,
        columns: [
          { column: 'k', from: 'k' },
          { column: 'v', from: 'v', type: 'jsonb' },
        ],
      }),
    );
    expect(upsert.statement(1)).toBe('insert into "public"."t" ("k", "v") values ($1::text, $2::jsonb) on conflict ("k") do update set "v" = excluded."v"');
  });
});
