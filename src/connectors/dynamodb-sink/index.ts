// A sink that writes records to a DynamoDB table with BatchWriteItem.
export { parseDynamoDbSinkOptions, type DynamoDbSinkConfig, type DynamoDbSinkOptions } from './options.js';
export { dynamoDbSink, type DynamoDbSinkDeps } from './sink.js';
