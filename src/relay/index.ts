// The relay's public face: re-exports only.
export * from './config-schema.js';
export * from './parse-config.js';
export * from './errors.js';
export * from './filter.js';
export * from './metrics.js';
export * from './batch-state.js';
export type { BatchOutcome, Settlement } from './settle-batch.js';
export type { RelayMessage, TrackedRecord, DeadLetterReason } from './tracked-record.js';
export * from './relay.js';
export * from './http-server.js';
export * from './dead-letter.js';
export type { BindingStatus, NotReadyReason, RelayReadiness } from './binding-status.js';
export type { RelayBrokerConnectivity, RelayClient, RelayConsumer, RelayProducer, RelayDelivery, RelaySubscribeOptions } from './ports.js';
export * from './invokers/index.js';
