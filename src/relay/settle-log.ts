import type { Settlement } from './batch-state.js';
import type { BatchOutcome } from './settle-batch.js';
import type { RelayMessage } from './tracked-record.js';

/**
 * How a batch that did not wholly succeed is logged, and the one line the binding's status shows
 * for it (its last error: what the function said, with when and how often beside it).
 */
export function failedBatchReport(outcome: Exclude<BatchOutcome, { type: 'success' }>, s: Settlement<RelayMessage>) {
  const stuck = s.retried.filter((r) => r.exhausted).length;
  const error = outcome.type === 'failure' ? outcome.error : s.badResponse;
  const firstRecordError = outcome.type === 'partial' ? outcome.errors?.values().next().value : undefined;
  const problem =
    outcome.type === 'failure'
      ? `batch failed: ${outcome.error}`
      : `${s.failed.length} record(s) failed${firstRecordError ? `: ${firstRecordError}` : ''}${s.badResponse ? ` (${s.badResponse})` : ''}`;
  return {
    level: s.deadLetter.length || stuck ? ('error' as const) : ('warn' as const),
    fields: {
      outcome: outcome.type,
      error,
      acked: s.ack.length,
      retried: s.retried.length,
      deadLettered: s.deadLetter.length,
      bisected: s.bisected ?? false,
      stuck,
    },
    message: stuck ? 'batch failed; records past maxRetryAttempts are retried on (no deadLetterTopic)' : 'batch failed',
    problem,
  };
}
