// Sinks: running a sink on a batch event, the event contract, and idempotent record handlers.
// No Node built-in and no AWS SDK here (DynamoDB-backed idempotency is `./sink/dynamodb`).
export { defineSink, type Sink, type SinkContext, type SinkHandler, type SinkOptions, type SinkResult } from './define.js';
export { forEachRecord, type ForEachRecordOptions, type RecordHandler } from './for-each.js';
export { runSink, toSinkBatchResponse, type RunSinkOptions, type SinkOutcome } from './run.js';
export {
  encodeSinkBatch,
  parseSinkBatchEvent,
  SINK_BATCH_EVENT_TYPE,
  SinkEventError,
  type EncodableRecord,
  type SinkBatchEventV1,
  type SinkBatchItemFailure,
  type SinkBatchMeta,
  type SinkBatchRecordV1,
  type SinkBatchResponse,
} from './event.js';
export {
  idempotent,
  IdempotencyConflictError,
  IdempotencyStore,
  MemoryIdempotencyStore,
  type BeginResult,
  type IdempotencyItem,
  type IdempotencyStoreOptions,
  type IdempotentOptions,
} from './idempotency.js';
