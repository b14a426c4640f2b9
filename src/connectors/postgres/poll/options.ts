import * as z from 'zod';
import { parseWithSchema } from '../../../core/index.js';
import { connectionShape, type PostgresConnectionOptions } from '../connection.js';

/**
 * Options of the polling source (documented in docs/connectors/postgres.md): reads a table in
 * the order of a monotonic column, for databases where logical replication is not available.
 */
export interface PostgresPollOptions extends PostgresConnectionOptions {
  /** `orders` or `sales.orders`. */
  table: string;
  /**
   * A column that only grows: a serial/identity id (`id`), and the tie-break of `timestampColumn`.
   * Rows are read in its order.
   */
  idColumn: string;
  /**
   * An `updated_at`-style column (set on every insert and update): rows are read in
   * (timestamp, id) order, so updates are picked up too. Without it, only new ids are.
   */
  timestampColumn?: string;
  /** Columns of the record key (default: `idColumn`), so one row's versions share a partition. */
  keyColumns?: string[];
  /** Columns to read (default: all). */
  columns?: string[];
  /** Extra SQL condition ANDed to the query (trusted configuration, not user input). */
  where?: string;
  /** Rows read per poll (default 1 000). */
  batchSize?: number;
  /**
   * Only read rows whose timestamp is at least this old (default 1 000 ms), so a transaction
   * that commits late with an earlier timestamp is not skipped. Timestamp mode only.
   */
  lagMs?: number;
}

export type ParsedPostgresPollOptions = Omit<Required<PostgresPollOptions>, 'ssl' | 'timestampColumn' | 'columns' | 'where'> &
  Pick<PostgresPollOptions, 'ssl' | 'timestampColumn' | 'columns' | 'where'>;

export const DEFAULT_POLL_BATCH_SIZE = 1_000;
export const DEFAULT_POLL_LAG_MS = 1_000;

const column = z.string().min(1).max(63);

export const PostgresPollOptionsSchema = z.strictObject({
  ...connectionShape,
  table: z.string().regex(/^[^.\s]+(\.[^.\s]+)?$/, '"table" or "schema.table"'),
  idColumn: column,
  timestampColumn: column.optional(),
  keyColumns: z.array(column).min(1).optional(),
  columns: z.array(column).min(1).optional(),
  where: z.string().min(1).optional(),
  batchSize: z.number().int().min(1).max(100_000).default(DEFAULT_POLL_BATCH_SIZE),
  lagMs: z.number().int().min(0).max(3_600_000).default(DEFAULT_POLL_LAG_MS),
});

/**
 * Fills defaults and rejects unknown keys, naming them.
 *
 * @example
 * parsePostgresPollOptions({ connectionString, table: 'orders', idColumn: 'id', timestampColumn: 'updated_at' });
 */
export function parsePostgresPollOptions(input: PostgresPollOptions): ParsedPostgresPollOptions {
  const parsed = parseWithSchema(PostgresPollOptionsSchema, input, 'PostgreSQL polling options');
  return { ...parsed, keyColumns: parsed.keyColumns ?? [parsed.idColumn] } as ParsedPostgresPollOptions;
}
