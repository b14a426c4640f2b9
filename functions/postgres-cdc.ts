// PostgreSQL change data capture, run on a schedule: each run publishes the changes committed
// since the last one (logical replication, pgoutput) to DANUBE_TOPIC, keyed by primary key.
import { postgresCdcSource } from 'danube-connect-serverless/connectors/postgres';
import { lambdaSource } from 'danube-connect-serverless/lambda';
import { bool, defined, int, list, need, optional } from './env.js';

const env = process.env;
export const source = postgresCdcSource(
  defined({
    name: env.PG_SOURCE_NAME ?? 'postgres-cdc',
    topic: need(env, 'DANUBE_TOPIC'),
    partitions: optional(env, 'DANUBE_PARTITIONS', int),
    connectionString: need(env, 'PG_URL'),
    slot: env.PG_CDC_SLOT,
    publication: env.PG_CDC_PUBLICATION,
    tables: optional(env, 'PG_CDC_TABLES', list),
    createSlot: optional(env, 'PG_CDC_CREATE_SLOT', bool),
    createPublication: optional(env, 'PG_CDC_CREATE_PUBLICATION', bool),
    maxBatchChanges: optional(env, 'PG_CDC_MAX_BATCH_CHANGES', int),
  }),
);

export const handler = lambdaSource(source);
