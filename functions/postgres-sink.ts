// Writes each batch the relay sends to a PostgreSQL table: multi-row INSERT or upsert, column
// mapping from PG_SINK_COLUMNS (JSON), idempotent on the record id (`_danube_id` unique).
import { postgresSink, type ColumnMapping } from 'danube-connect-serverless/connectors/postgres';
import { lambdaSink } from 'danube-connect-serverless/lambda';
import { defined, int, list, need, needJson, optional } from './env.js';

const env = process.env;
// Module scope: the pool outlives the invocation, so a warm function reuses its connection.
export const sink = postgresSink(
  defined({
    connectionString: need(env, 'PG_URL'),
    table: need(env, 'PG_SINK_TABLE'),
    columns: needJson<ColumnMapping[]>(env, 'PG_SINK_COLUMNS', 'a JSON array of column mappings such as [{"column":"id","from":"$.id"}]', 'array'),
    mode: optional(env, 'PG_SINK_MODE', (v) => v as 'insert' | 'upsert'),
    conflictColumns: optional(env, 'PG_SINK_CONFLICT_COLUMNS', list),
    idColumn: optional(env, 'PG_SINK_ID_COLUMN', (v) => (v === 'none' ? null : v)),
    maxRowsPerStatement: optional(env, 'PG_SINK_MAX_ROWS_PER_STATEMENT', int),
  }),
);

export const handler = lambdaSink(sink);
