// Writes the records of each relay batch to a DynamoDB table (see docs/connectors/dynamodb-sink.md).
// The table is DYNAMODB_SINK_TABLE (or "table" in DYNAMODB_SINK_CONFIG); other settings are the
// optional JSON in DYNAMODB_SINK_CONFIG.
import { dynamoDbSink, type DynamoDbSinkOptions } from 'danube-connect-serverless/connectors/dynamodb-sink';
import { ConfigError } from 'danube-connect-serverless';
import { lambdaSink } from 'danube-connect-serverless/lambda';
import { fromSettings, optional, optionalJson } from './env.js';

const env = process.env;
const config = optionalJson<Partial<DynamoDbSinkOptions>>(env, 'DYNAMODB_SINK_CONFIG') ?? {};
const table = optional(env, 'DYNAMODB_SINK_TABLE', (v) => v.trim()) ?? config.table;
if (!table)
  throw new ConfigError('DYNAMODB_SINK_TABLE is not set: the name of the DynamoDB table to write to (or "table" in DYNAMODB_SINK_CONFIG)', [
    'DYNAMODB_SINK_TABLE',
  ]);

// Module scope: the DynamoDB client is reused across warm invocations.
export const sink = fromSettings(['DYNAMODB_SINK_TABLE', 'DYNAMODB_SINK_CONFIG'], () => dynamoDbSink({ ...config, table }));
export const handler = lambdaSink(sink);
