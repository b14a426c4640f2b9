// Incremental polling of one PostgreSQL table (no replication rights needed), on a schedule:
// rows newer than the checkpoint (by id, or updated_at + id) are published to DANUBE_TOPIC.
import { postgresPollSource } from 'danube-connect-serverless/connectors/postgres';
import { lambdaSource } from 'danube-connect-serverless/lambda';
import { defined, int, list, need, optional } from './env.js';

const env = process.env;
export const source = postgresPollSource(
  defined({
    name: env.PG_SOURCE_NAME ?? 'postgres-poll',
    topic: need(env, 'DANUBE_TOPIC'),
    partitions: optional(env, 'DANUBE_PARTITIONS', int),
    connectionString: need(env, 'PG_URL'),
    table: need(env, 'PG_POLL_TABLE'),
    idColumn: env.PG_POLL_ID_COLUMN ?? 'id',
    timestampColumn: env.PG_POLL_TIMESTAMP_COLUMN,
    keyColumns: optional(env, 'PG_POLL_KEY_COLUMNS', list),
    batchSize: optional(env, 'PG_POLL_BATCH_SIZE', int),
    lagMs: optional(env, 'PG_POLL_LAG_MS', int),
  }),
);

export const handler = lambdaSource(source);
