import type { BatchStateOptions } from './batch-state.js';
import type { DeadLetterReason, RelayMessage, TrackedRecord } from './tracked-record.js';

/** How one invocation ended, as the invoker reports it. */
export type BatchOutcome =
  | { type: 'success' }
  /**
   * The function answered `{ batchItemFailures }` with these record ids; `invalidIds` are those it
   * marked `reason: "invalid"` (they can never succeed: dead-lettered at once), `errors` their messages.
   */
  | { type: 'partial'; failedIds: readonly string[]; invalidIds?: readonly string[]; errors?: ReadonlyMap<string, string> }
  /**
   * The whole batch failed. `invalidRecordId`: the function declared that one record can never
   * succeed. `throttled`: the failure says nothing about the records (throttling, or a function
   * that cannot be reached as configured), so it never uses up their retry budget.
   */
  | { type: 'failure'; error: string; throttled?: boolean; invalidRecordId?: string; retryAfterMs?: number };

export interface Settlement<M extends RelayMessage = RelayMessage> {
  /** Handled: ack now. */
  ack: TrackedRecord<M>[];
  /** Publish to the dead-letter topic, then ack. */
  deadLetter: Array<{ record: TrackedRecord<M>; reason: DeadLetterReason; error: string }>;
  /** Back in the queue for another attempt. */
  retried: TrackedRecord<M>[];
  /** Records whose attempt failed (listed in batchItemFailures, or in a failed batch). */
  failed: TrackedRecord<M>[];
  /** Set when the answer named ids that were not in the batch (the whole batch counts as failed). */
  badResponse?: string;
  /** The failed batch was split in two. */
  bisected?: boolean;
}

/**
 * Decides, for each record of a finished batch, between ack, retry and dead-letter. Pure: the
 * state machine applies the result. Rules (design §4, issue "relay"):
 * success → ack all; partial → ack the others (ordered lanes: only those before the lane's first
 * failure, the rest retried from there); failure → nothing acked, bisected when enabled,
 * otherwise counted against `maxRetryAttempts`; a throttle never uses up the retry budget.
 */
export function settleBatch<M extends RelayMessage>(
  records: TrackedRecord<M>[],
  outcome: BatchOutcome,
  now: number,
  o: BatchStateOptions,
  newGroup: () => number,
): Settlement<M> {
  const s: Settlement<M> = { ack: [], deadLetter: [], retried: [], failed: [] };
  if (outcome.type === 'success' || (outcome.type === 'partial' && outcome.failedIds.length === 0 && !outcome.invalidIds?.length)) {
    s.ack = records;
    return s;
  }
  // Records that failed this attempt and are counted against the retry budget.
  const counted = new Set<TrackedRecord<M>>();
  let requeue: TrackedRecord<M>[] = [];
  let error: string;
  let minDelay = 0;

  if (outcome.type === 'partial') {
    const inBatch = new Map(records.map((r) => [r.id, r]));
    const unknown = outcome.failedIds.filter((id) => !inBatch.has(id));
    if (unknown.length > 0) {
      const badResponse = `batchItemFailures names ids not in the batch: ${unknown.slice(0, 3).join(', ')}`;
      return { ...settleBatch(records, { type: 'failure', error: badResponse }, now, o, newGroup), badResponse };
    }
    const failedIds = new Set(outcome.failedIds);
    const invalidIds = new Set(outcome.invalidIds ?? []);
    error = 'listed in batchItemFailures';
    const failedLanes = new Set<string>();
    for (const r of records) {
      const failedHere = failedIds.has(r.id) || invalidIds.has(r.id);
      const message = outcome.errors?.get(r.id);
      if (failedHere && message) r.lastError = message;
      if (invalidIds.has(r.id) && o.hasDeadLetterTopic) {
        s.failed.push(r);
        s.deadLetter.push({ record: r, reason: 'invalid-record', error: message ?? 'the function marked the record invalid' });
        continue;
      }
      if (failedHere) counted.add(r);
      if (failedHere || (o.ordering !== 'none' && failedLanes.has(r.lane))) {
        if (o.ordering !== 'none') failedLanes.add(r.lane);
        requeue.push(r);
      } else {
        s.ack.push(r);
      }
    }
  } else {
    error = outcome.error;
    const invalid = outcome.invalidRecordId === undefined ? undefined : records.find((r) => r.id === outcome.invalidRecordId);
    if (invalid) {
      if (o.hasDeadLetterTopic) s.deadLetter.push({ record: invalid, reason: 'invalid-record', error });
      else counted.add(invalid);
      s.failed.push(invalid);
      requeue = records.filter((r) => r !== invalid || !o.hasDeadLetterTopic);
    } else if (outcome.throttled) {
      requeue = records;
      // Invocations, not counted retries, drive the wait: it grows while the throttling lasts.
      const worst = Math.max(1, ...records.map((r) => r.attempts));
      minDelay = Math.max(outcome.retryAfterMs ?? 0, o.backoff(worst));
    } else if (o.bisectOnError && records.length > 1) {
      // Split without counting a retry (as Lambda does): halving ends at single records, which
      // then use up the retry budget and, being alone, carry only their own fate.
      const half = Math.ceil(records.length / 2);
      const a = newGroup();
      const b = newGroup();
      records.forEach((r, i) => (r.group = i < half ? a : b));
      s.retried = records;
      s.failed = records;
      s.bisected = true;
      for (const r of records) {
        r.lastError = error;
        r.notBefore = r.readyAt = now;
      }
      return s;
    } else {
      requeue = records;
      for (const r of records) counted.add(r);
    }
    if (outcome.retryAfterMs !== undefined) minDelay = Math.max(minDelay, outcome.retryAfterMs);
  }

  // Count failures; records past the budget go to the dead-letter topic, or stay (and are reported) without one.
  let worstRetries = 0;
  const kept: TrackedRecord<M>[] = [];
  for (const r of requeue) {
    delete r.group;
    if (counted.has(r)) {
      s.failed.push(r);
      r.retries++;
      if (outcome.type === 'failure' || !r.lastError) r.lastError = error;
      const exhausted = o.maxRetryAttempts >= 0 && r.retries > o.maxRetryAttempts;
      if (exhausted && o.hasDeadLetterTopic) {
        s.deadLetter.push({ record: r, reason: 'retries-exhausted', error: r.lastError ?? error });
        continue;
      }
      if (exhausted) r.exhausted = true;
      worstRetries = Math.max(worstRetries, r.retries);
    }
    kept.push(r);
  }
  const delay = Math.max(minDelay, worstRetries > 0 ? o.backoff(worstRetries) : 0);
  for (const r of kept) r.notBefore = r.readyAt = now + delay;
  s.retried = kept;
  return s;
}
