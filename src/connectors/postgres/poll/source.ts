import pg from 'pg';
import { ConfigError, SourceRecord, withoutUndefined, type Logger } from '../../../core/index.js';
import { RECORD_ID_ATTRIBUTE, defineSource, type PollContext, type PollResult, type Source, type SourceOptions } from '../../../source/index.js';
import { routingKey } from '../cdc/change.js';
import { clientConfig } from '../client-config.js';
import { describeTarget, quoteIdent, quoteTable, splitTable } from '../connection.js';
import { toConnectorError } from '../errors.js';
import { decodeText, type JsonValue } from '../values.js';
import { parsePostgresPollOptions, type ParsedPostgresPollOptions, type PostgresPollOptions } from './options.js';

/** Where the polling source stands: the (timestamp and) id of the last row published, as text. */
export interface PollCheckpoint {
  id: string;
  ts?: string;
}

export type PostgresPollSourceOptions = PostgresPollOptions &
  Pick<SourceOptions<PollCheckpoint>, 'name' | 'topic' | 'route' | 'partitions' | 'dispatch' | 'deadLetterTopic' | 'retry'>;

/** A polling source: a `Source` plus `close()` for its connection pool. */
export interface PostgresPollSource extends Source<PollCheckpoint> {
  close(): Promise<void>;
}

/** The `source` attribute of every record this source publishes. */
export const POLL_SOURCE_ATTRIBUTE = 'postgres-poll';

// Every value is decoded by the same rules as the CDC stream, so both modes publish the same JSON.
const types = { getTypeParser: (oid: number) => (text: string) => decodeText(oid, text) };

/** The SELECT of one poll; `$1`(/`$2`) are the checkpoint, the last parameter the batch size. */
export function buildPollQuery(o: ParsedPostgresPollOptions, checkpoint: PollCheckpoint | undefined): { text: string; values: unknown[] } {
  const id = quoteIdent(o.idColumn);
  const ts = o.timestampColumn ? quoteIdent(o.timestampColumn) : undefined;
  const values: unknown[] = [];
  const where: string[] = [];
  // `{ id: '' }` is the checkpoint of a table that was empty so far: read from the start.
  if (checkpoint && checkpoint.id !== '') {
    if (ts) {
      values.push(checkpoint.ts ?? null, checkpoint.id);
      // Row comparison: later timestamp, or same timestamp and larger id (the tie-break).
      where.push(`(${ts}, ${id}) > ($1, $2)`);
    } else {
      values.push(checkpoint.id);
      where.push(`${id} > $1`);
    }
  }
  if (ts) where.push(`${ts} < now() - make_interval(secs => ${o.lagMs / 1000})`);
  if (o.where) where.push(`(${o.where})`);
  values.push(o.batchSize);
  const columns = o.columns ? o.columns.map(quoteIdent).join(', ') : '*';
  const text =
    `select ${columns}, ${id}::text as "__danube_id"${ts ? `, ${ts}::text as "__danube_ts"` : ''} ` +
    `from ${quoteTable(o.table)}${where.length ? ` where ${where.join(' and ')}` : ''} ` +
    `order by ${ts ? `${ts}, ` : ''}${id} limit $${values.length}`;
  return { text, values };
}

/**
 * Incremental polling of one table by a monotonic column (an id, or `updated_at` + id), for
 * users without replication rights. The checkpoint (last timestamp and id, as text) lives in
 * the source runner's checkpoint store; each record is `{ op, schema, table, key, after }`.
 * Deletes are not seen (use the CDC source for them).
 *
 * @example
 * export const source = postgresPollSource({
 *   name: 'orders-poll', topic: '/default/orders', connectionString: process.env.PG_URL!,
 *   table: 'public.orders', idColumn: 'id', timestampColumn: 'updated_at',
 * });
 */
export function postgresPollSource(input: PostgresPollSourceOptions): PostgresPollSource {
  const { name, topic, route, partitions, dispatch, deadLetterTopic, retry, ...pgInput } = input;
  const options = parsePostgresPollOptions(pgInput);
  if (options.columns) {
    const missing = options.keyColumns.filter((k) => !options.columns!.includes(k));
    if (missing.length) throw new ConfigError(`keyColumns ${missing.join(', ')} must be among "columns"`, ['keyColumns']);
  }
  const { schema, table } = splitTable(options.table);
  const op = options.timestampColumn ? 'upsert' : 'insert';
  let pool: pg.Pool | undefined;

  async function poll({ checkpoint, logger }: PollContext<PollCheckpoint>): Promise<PollResult<PollCheckpoint>> {
    // One pool per warm process: a Lambda reuses its connection across invocations.
    pool ??= createPool(options, logger);
    const query = buildPollQuery(options, checkpoint);
    let rows: Record<string, JsonValue>[];
    try {
      rows = (await pool.query<Record<string, JsonValue>>({ ...query, types })).rows;
    } catch (err) {
      throw toConnectorError(err, `poll ${options.table}`, describeTarget(options.connectionString));
    }
    let next = checkpoint;
    const records = rows.map((row) => {
      const position: PollCheckpoint = { id: String(row.__danube_id) };
      if (options.timestampColumn) position.ts = String(row.__danube_ts);
      next = position;
      delete row.__danube_id;
      delete row.__danube_ts;
      const key: Record<string, JsonValue> = {};
      for (const k of options.keyColumns) key[k] = row[k] ?? null;
      const event = { op, schema, table, key, after: row };
      return SourceRecord.fromJson(event, {
        key: routingKey(event),
        attributes: {
          source: POLL_SOURCE_ATTRIBUTE,
          table: `${schema}.${table}`,
          op,
          [RECORD_ID_ATTRIBUTE]: `${name}@${schema}.${table}:${position.ts ? `${position.ts}/` : ''}${position.id}`,
        },
      });
    });
    // Nothing read and nothing ever read: an empty checkpoint means "from the start".
    if (next === undefined) return { records, checkpoint: { id: '' }, done: true };
    return { records, checkpoint: next, done: rows.length < options.batchSize };
  }

  const source = defineSource<PollCheckpoint>({
    name,
    poll,
    ...withoutUndefined({ topic, route, partitions, dispatch, deadLetterTopic, retry }),
    ordering: 'key',
  });
  return Object.freeze({
    ...source,
    close: async () => {
      const current = pool;
      pool = undefined;
      await current?.end();
    },
  });
}

function createPool(options: ParsedPostgresPollOptions, logger: Logger): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(options), max: 1, idleTimeoutMillis: 60_000 });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (err) => logger.warn({ err }, 'idle PostgreSQL connection lost'));
  return pool;
}
