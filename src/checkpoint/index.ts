export * from './types.js';
export * from './errors.js';
export * from './store.js';
export * from './memory-store.js';
export * from './dynamodb-store.js';
export * from './table.js';
