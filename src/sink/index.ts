export * from './event.js';
export * from './define.js';
export * from './run.js';
export * from './for-each.js';
export * from './idempotency.js';
export * from './idempotency-dynamodb.js';
