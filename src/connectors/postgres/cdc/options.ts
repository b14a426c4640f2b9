import * as z from 'zod';
import { parseWithSchema } from '../../../core/index.js';
import { connectionShape, type PostgresConnectionOptions } from '../connection.js';

/** Options of the PostgreSQL change-data-capture reader (documented in docs/connectors/postgres.md). */
export interface PostgresCdcOptions extends PostgresConnectionOptions {
  /** Logical replication slot (default `danube_cdc`); one slot per source, never shared. */
  slot?: string;
  /** Publication naming the tables to capture (default `danube_cdc`). */
  publication?: string;
  /** Tables of a publication created by the connector (`orders` or `sales.orders`); none = FOR ALL TABLES. */
  tables?: string[];
  /** Create the publication when it does not exist (default true). */
  createPublication?: boolean;
  /** Create the slot when it does not exist (default true). */
  createSlot?: boolean;
  /**
   * When the slot is held by another connection, end that connection (default true). Safe because
   * the source runner's lease guarantees no other run is live: the holder is a crashed run.
   */
  takeOverActiveSlot?: boolean;
  /** Most changes handed back by one poll (default 1 000). */
  maxBatchChanges?: number;
  /** Longest one poll waits for more changes before returning what it has (default 1 000 ms). */
  maxBatchWaitMs?: number;
  /**
   * Keep streaming after catching up with the WAL position seen at the start of the run, until
   * the run's budget ends (default false: a run ends once it has caught up).
   */
  follow?: boolean;
}

export type ParsedPostgresCdcOptions = Required<Omit<PostgresCdcOptions, 'ssl' | 'tables'>> & Pick<PostgresCdcOptions, 'ssl' | 'tables'>;

export const DEFAULT_CDC_SLOT = 'danube_cdc';
export const DEFAULT_CDC_PUBLICATION = 'danube_cdc';
export const DEFAULT_CDC_MAX_BATCH_CHANGES = 1_000;
export const DEFAULT_CDC_MAX_BATCH_WAIT_MS = 1_000;

const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and "_" (at most 63), starting with a letter or "_"');

export const PostgresCdcOptionsSchema = z.strictObject({
  ...connectionShape,
  slot: identifier.default(DEFAULT_CDC_SLOT),
  publication: identifier.default(DEFAULT_CDC_PUBLICATION),
  tables: z
    .array(z.string().regex(/^[^.\s]+(\.[^.\s]+)?$/, '"table" or "schema.table"'))
    .min(1)
    .optional(),
  createPublication: z.boolean().default(true),
  createSlot: z.boolean().default(true),
  takeOverActiveSlot: z.boolean().default(true),
  maxBatchChanges: z.number().int().min(1).max(100_000).default(DEFAULT_CDC_MAX_BATCH_CHANGES),
  maxBatchWaitMs: z.number().int().min(10).max(60_000).default(DEFAULT_CDC_MAX_BATCH_WAIT_MS),
  follow: z.boolean().default(false),
});

/**
 * Fills defaults and rejects unknown keys, naming them.
 *
 * @example
 * const options = parsePostgresCdcOptions({ connectionString: process.env.PG_URL, tables: ['orders'] });
 */
export function parsePostgresCdcOptions(input: PostgresCdcOptions): ParsedPostgresCdcOptions {
  return parseWithSchema(PostgresCdcOptionsSchema, input, 'PostgreSQL CDC options') as ParsedPostgresCdcOptions;
}
