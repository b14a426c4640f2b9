import pg from 'pg';
import type { Logger } from '../../../core/index.js';
import { defineSink, type Sink, type SinkBatchItemFailure, type SinkOptions } from '../../../sink/index.js';
import { clientConfig } from '../client-config.js';
import { describeTarget } from '../connection.js';
import { toConnectorError } from '../errors.js';
import { mapRecords, type MappedRow } from './mapping.js';
import { parsePostgresSinkOptions, type PostgresSinkOptions } from './options.js';
import { RowWriter } from './writer.js';

export type PostgresSinkConfig = PostgresSinkOptions & Pick<SinkOptions, 'name' | 'transforms'>;

/** A PostgreSQL sink: a `Sink` plus `close()` for its connection pool. */
export interface PostgresSink extends Sink {
  close(): Promise<void>;
}

/**
 * Writes each batch to a table with multi-row INSERTs (or upserts), mapping JSON paths and
 * record metadata to columns. Idempotent on the record id (`_danube_id` with a unique index):
 * a redelivered record writes nothing twice. A record PostgreSQL refuses (a constraint, a bad
 * value) or that cannot be mapped fails alone and is dead-lettered; the rest commit. The pool
 * lives as long as the warm process, so invocations reuse their connection.
 *
 * @example
 * // CREATE TABLE orders (id bigint primary key, total numeric, doc jsonb, _danube_id text unique);
 * export const sink = postgresSink({
 *   connectionString: process.env.PG_URL!, table: 'orders',
 *   columns: [
 *     { column: 'id', from: '$.id', type: 'bigint', required: true },
 *     { column: 'total', from: '$.total', type: 'numeric' },
 *     { column: 'doc', from: '$', type: 'jsonb' },
 *   ],
 * });
 */
export function postgresSink(config: PostgresSinkConfig): PostgresSink {
  const { name, transforms, ...input } = config;
  const options = parsePostgresSinkOptions(input);
  const writer = new RowWriter(options);
  const target = describeTarget(options.connectionString);
  let pool: pg.Pool | undefined;

  const getPool = (logger: Logger): pg.Pool => {
    if (pool) return pool;
    pool = new pg.Pool({ ...clientConfig(options), max: options.poolSize, idleTimeoutMillis: 60_000 });
    // An idle connection the server dropped must not crash a warm process; the next batch reconnects.
    pool.on('error', (err) => logger.warn({ err }, 'idle PostgreSQL connection lost'));
    return pool;
  };

  const sink = defineSink(
    async (records, ctx) => {
      const { rows, invalid } = mapRecords(records, options.columns, options.idColumn !== null);
      const failures: SinkBatchItemFailure[] = invalid.map((e) => ({ itemIdentifier: e.recordId!, reason: 'invalid', message: e.message }));
      const unique =
        options.mode === 'upsert'
          ? lastPerConflictKey(
              rows,
              options.columns.map((c) => c.column),
              options.conflictColumns,
            )
          : rows;
      let client: pg.PoolClient;
      try {
        client = await getPool(ctx.logger).connect();
      } catch (err) {
        throw toConnectorError(err, `connect to PostgreSQL`, target);
      }
      let broken = false;
      try {
        const rejected = await writer.write(client, unique);
        for (const { row, error } of rejected) {
          const why = error.constraint ? `violates ${error.constraint}` : (error.code ?? 'refused');
          ctx.logger.warn({ recordId: row.record.id, code: error.code, constraint: error.constraint }, 'row refused by PostgreSQL');
          failures.push({ itemIdentifier: row.record.id, reason: 'invalid', message: `${options.table}: ${why}: ${error.message}`.slice(0, 500) });
        }
      } catch (err) {
        broken = true; // a connection in an unknown state is not handed back to the pool
        throw err;
      } finally {
        client.release(broken);
      }
      return failures.length ? { batchItemFailures: failures } : undefined;
    },
    { ...(name !== undefined ? { name } : { name: `postgres:${options.table}` }), ...(transforms ? { transforms } : {}) },
  );
  return Object.freeze({
    ...sink,
    close: async () => {
      const current = pool;
      pool = undefined;
      await current?.end();
    },
  });
}

/**
 * An upsert statement may not touch one row twice: of the records with the same conflict key,
 * only the last (latest in the batch) is written; the earlier ones are superseded, so done.
 */
function lastPerConflictKey(rows: MappedRow[], columns: string[], conflict: string[]): MappedRow[] {
  const positions = conflict.map((c) => columns.indexOf(c));
  const last = new Map<string, MappedRow>();
  for (const row of rows) last.set(JSON.stringify(positions.map((p) => row.values[p])), row);
  return last.size === rows.length ? rows : rows.filter((row) => last.get(JSON.stringify(positions.map((p) => row.values[p]))) === row);
}
