import * as z from 'zod';
import { parseWithSchema } from '../../../core/index.js';
import { connectionShape, type PostgresConnectionOptions } from '../connection.js';

/** PostgreSQL types a mapped column may be written as (the value is cast with `$n::<type>`). */
export const COLUMN_TYPES = [
  'text',
  'integer',
  'bigint',
  'smallint',
  'numeric',
  'real',
  'double precision',
  'boolean',
  'json',
  'jsonb',
  'timestamptz',
  'timestamp',
  'date',
  'uuid',
  'bytea',
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** One column of the target table and where its value comes from. */
export interface ColumnMapping {
  column: string;
  /**
   * `$` (the whole payload), `$.a.b[0]` / `a.b` (a path into the JSON payload), or record
   * metadata: `@id`, `@topic`, `@offset`, `@publishTime`, `@key`, `@attributes.<name>`.
   */
  from: string;
  /** Cast applied in SQL (default `text`; objects and arrays are written as JSON text). */
  type?: ColumnType;
  /** A record without this value is invalid (dead-lettered); otherwise NULL is written. */
  required?: boolean;
}

/** Options of the PostgreSQL sink (documented in docs/connectors/postgres.md). */
export interface PostgresSinkOptions extends PostgresConnectionOptions {
  /** `orders` or `sales.orders`. */
  table: string;
  columns: ColumnMapping[];
  /** `insert` (default): new rows only; `upsert`: INSERT ... ON CONFLICT (conflictColumns) DO UPDATE. */
  mode?: 'insert' | 'upsert';
  /** The unique key of an upsert (must have a unique index). */
  conflictColumns?: string[];
  /**
   * Column that stores the record id, with a unique index, so redelivery writes nothing twice
   * (default `_danube_id`; `null` turns this off, e.g. for upserts that are idempotent anyway).
   */
  idColumn?: string | null;
  /** Rows per INSERT statement (default 500; PostgreSQL allows 65 535 parameters per statement). */
  maxRowsPerStatement?: number;
  /** Connections in the warm process's pool (default 2). */
  poolSize?: number;
}

export interface ParsedPostgresSinkOptions {
  connectionString: string;
  ssl?: PostgresConnectionOptions['ssl'];
  connectTimeoutMs: number;
  table: string;
  columns: Required<ColumnMapping>[];
  mode: 'insert' | 'upsert';
  conflictColumns: string[];
  idColumn: string | null;
  maxRowsPerStatement: number;
  poolSize: number;
}

export const DEFAULT_SINK_ID_COLUMN = '_danube_id';
export const DEFAULT_SINK_MAX_ROWS_PER_STATEMENT = 500;
export const DEFAULT_SINK_POOL_SIZE = 2;

const name = z.string().min(1).max(63);

export const PostgresSinkOptionsSchema = z
  .strictObject({
    ...connectionShape,
    table: z.string().regex(/^[^.\s]+(\.[^.\s]+)?$/, '"table" or "schema.table"'),
    columns: z
      .array(
        z.strictObject({
          column: name,
          from: z
            .string()
            .regex(
              /^(\$|\$\..+|@(id|topic|offset|publishTime|key|attributes\..+)|[A-Za-z_][\w.[\]]*)$/,
              'a JSON path ($, $.a.b) or @id/@topic/@offset/@publishTime/@key/@attributes.<name>',
            ),
          type: z.enum(COLUMN_TYPES).default('text'),
          required: z.boolean().default(false),
        }),
      )
      .min(1),
    mode: z.enum(['insert', 'upsert']).default('insert'),
    conflictColumns: z.array(name).min(1).optional(),
    idColumn: name.nullable().default(DEFAULT_SINK_ID_COLUMN),
    maxRowsPerStatement: z.number().int().min(1).max(10_000).default(DEFAULT_SINK_MAX_ROWS_PER_STATEMENT),
    poolSize: z.number().int().min(1).max(50).default(DEFAULT_SINK_POOL_SIZE),
  })
  .refine((o) => o.mode !== 'upsert' || (o.conflictColumns?.length ?? 0) > 0, {
    message: 'mode "upsert" needs conflictColumns (the unique key)',
    path: ['conflictColumns'],
  })
  .refine((o) => !o.conflictColumns || o.conflictColumns.every((c) => o.columns.some((m) => m.column === c)), {
    message: 'every conflict column must be one of the mapped columns',
    path: ['conflictColumns'],
  })
  .refine((o) => new Set(o.columns.map((c) => c.column)).size === o.columns.length && !o.columns.some((c) => c.column === o.idColumn), {
    message: 'a column is mapped twice (or is the idColumn)',
    path: ['columns'],
  })
  .refine((o) => (o.columns.length + 1) * o.maxRowsPerStatement <= 65_535, {
    message: 'too many parameters per statement: lower maxRowsPerStatement',
    path: ['maxRowsPerStatement'],
  });

/**
 * Fills defaults and rejects unknown or conflicting keys, naming them.
 *
 * @example
 * parsePostgresSinkOptions({ connectionString, table: 'orders',
 *   columns: [{ column: 'id', from: '$.id', type: 'bigint' }, { column: 'doc', from: '$', type: 'jsonb' }] });
 */
export function parsePostgresSinkOptions(input: PostgresSinkOptions): ParsedPostgresSinkOptions {
  const o = parseWithSchema(PostgresSinkOptionsSchema, input, 'PostgreSQL sink options');
  const parsed: ParsedPostgresSinkOptions = {
    connectionString: o.connectionString,
    connectTimeoutMs: o.connectTimeoutMs,
    table: o.table,
    columns: o.columns as Required<ColumnMapping>[],
    mode: o.mode,
    conflictColumns: o.conflictColumns ?? [],
    idColumn: o.idColumn,
    maxRowsPerStatement: o.maxRowsPerStatement,
    poolSize: o.poolSize,
  };
  if (o.ssl !== undefined) parsed.ssl = o.ssl;
  return parsed;
}
