// Source checkpoints: the leased, fenced store every source run uses, in DynamoDB or in memory.
export { CheckpointStore, DEFAULT_LEASE_MS, type AcquireLeaseOptions, type OverwriteOptions } from './store.js';
export { MemoryCheckpointStore, type MemoryCheckpointStoreOptions } from './memory-store.js';
export { DynamoDbCheckpointStore, type DynamoDbCheckpointStoreOptions } from './dynamodb-store.js';
export { checkpointTableDefinition, DEFAULT_CHECKPOINT_TABLE, ensureCheckpointTable } from './table.js';
export { CheckpointError, CheckpointFormatError, CheckpointStoreError, FencedError, LeaseHeldError } from './errors.js';
export { checkpointKey, type CheckpointKeyParts, type CheckpointState, type Json, type Lease, type StoredCheckpoint } from './types.js';
