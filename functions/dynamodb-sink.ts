// Writes the records of each relay batch to a DynamoDB table (see docs/connectors/dynamodb-sink.md).
// Settings are the JSON in DYNAMODB_SINK_CONFIG; the table may come from DYNAMODB_SINK_TABLE.
import { dynamoDbSink, type DynamoDbSinkOptions } from '../src/connectors/dynamodb-sink/index.js';
import { lambdaSink } from '../src/runtime/lambda/index.js';

const config = JSON.parse(process.env.DYNAMODB_SINK_CONFIG ?? '{}') as Partial<DynamoDbSinkOptions>;

// Module scope: the DynamoDB client is reused across warm invocations.
export const sink = dynamoDbSink({ ...config, table: process.env.DYNAMODB_SINK_TABLE ?? config.table ?? '' });
export const handler = lambdaSink(sink);
