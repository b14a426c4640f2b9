import { backoffDelay, type BackoffPolicy } from '../core/backoff.js';
import type { BatchStateOptions } from './batch-state.js';
import { MAX_EVENT_BYTES, type BindingConfig } from './config-schema.js';

/** The batch state machine's settings for a binding. */
export function batchStateOptionsFor(b: BindingConfig): BatchStateOptions {
  // The binding's retryBackoff; the retry budget is maxRetryAttempts, counted by the batch state.
  const policy: BackoffPolicy = { growth: 'exponential', ...b.retryBackoff };
  return {
    batchSize: b.batchSize,
    maxBatchBytes: b.maxBatchBytes,
    maxEventBytes: MAX_EVENT_BYTES,
    maxBatchingWindowMs: b.maxBatchingWindowMs,
    maxConcurrency: b.maxConcurrency,
    ordering: b.ordering,
    maxRetryAttempts: b.maxRetryAttempts,
    bisectOnError: b.bisectOnError,
    hasDeadLetterTopic: b.deadLetterTopic !== undefined,
    maxRecordAgeMs: b.maxRecordAgeSeconds > 0 ? b.maxRecordAgeSeconds * 1000 : -1,
    backoff: (n) => backoffDelay(n, policy),
    brokerWindow: b.subscription.maxUnackedMessages,
  };
}
