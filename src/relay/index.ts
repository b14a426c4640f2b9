// The relay's public face: re-exports only.
export * from './config-schema.js';
export * from './parse-config.js';
export * from './errors.js';
export * from './filter.js';
export * from './metrics.js';
export * from './batch-state.js';
export type { BatchOutcome, Settlement } from './settle-batch.js';
export type { RelayMessage, TrackedRecord, DeadLetterReason } from './tracked-record.js';
