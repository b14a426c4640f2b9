// The package root: what every connector shares — records, errors and the two define helpers.
// Light to import and free of Node built-ins, so a Worker bundle can take it whole.
export {
  ConfigError,
  ConnectorError,
  FatalError,
  InvalidRecordError,
  isConnectorError,
  RetryableError,
  type ConnectorErrorOptions,
  type ErrorKind,
  type FailedRecord,
  type InvalidRecordErrorOptions,
  type RetryableErrorOptions,
} from './core/errors.js';
export { classifyError, errorKind } from './core/classify.js';
export { createSinkRecord, SinkRecord, type SinkRecordInit } from './core/records.js';
export { SourceRecord, type SourceRecordOptions } from './core/source-record.js';
export type { Logger } from './core/logger.js';
export type { Transform } from './core/transforms.js';
export { defineSink, type Sink, type SinkContext, type SinkHandler, type SinkOptions, type SinkResult } from './sink/define.js';
export { forEachRecord, type ForEachRecordOptions, type RecordHandler } from './sink/for-each.js';
export type { SinkBatchEventV1, SinkBatchItemFailure, SinkBatchRecordV1, SinkBatchResponse } from './sink/event.js';
export {
  defineSource,
  type PollContext,
  type PollResult,
  type Source,
  type SourceOptions,
  type SourceOrdering,
} from './source/define-source.js';
export { RECORD_ID_ATTRIBUTE } from './core/attributes.js';
