// `./sink/dynamodb`: idempotency records in DynamoDB. Apart from `./sink` so that a sink that does
// not use it never loads the AWS SDK.
export { DynamoDbIdempotencyStore, ensureIdempotencyTable, type DynamoDbIdempotencyStoreOptions } from './idempotency-dynamodb.js';
