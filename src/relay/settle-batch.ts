import type { DeadLetterReason } from '../core/dead-letter.js';
import type { RelayMessage, TrackedRecord } from './tracked-record.js';

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
  | { type: 'failure'; error: string; errorClass?: string; throttled?: boolean; invalidRecordId?: string; retryAfterMs?: number };

/** What becomes of one record of a finished batch. */
export type RecordDecision =
  | { action: 'ack' }
  | { action: 'dead-letter'; reason: DeadLetterReason; error: string; errorClass: string }
  | {
      action: 'retry';
      /** This attempt failed for the record (it is not only held back behind a failed one). */
      failed: boolean;
      /** The failure counts against `maxRetryAttempts`. */
      counted: boolean;
      /** Past `maxRetryAttempts` with no dead-letter topic: retried on, reported as stuck. */
      exhausted: boolean;
      error?: string;
      errorClass?: string;
      /** Only travels with records of this group (set by a bisect, cleared otherwise). */
      group?: number;
      /** Not invoked before this time. */
      notBefore: number;
    };

/** The decisions for a batch, in the batch's order. */
export interface SettlementPlan<M extends RelayMessage = RelayMessage> {
  decisions: Array<{ record: TrackedRecord<M>; decision: RecordDecision }>;
  /** Set when the answer named ids that were not in the batch (the whole batch counts as failed). */
  badResponse?: string;
  /** The failed batch was split in two. */
  bisected?: boolean;
}

/** The rules {@link planSettlement} applies (the binding's settings). */
export interface SettleRules {
  ordering: 'partition' | 'key' | 'none';
  /** -1 = retry without limit. */
  maxRetryAttempts: number;
  bisectOnError: boolean;
  hasDeadLetterTopic: boolean;
  /** Delay before retry number `retries` (1-based). */
  backoff: (retries: number) => number;
}

// A failure item carries its kind (`reason`), not its class: these are the classes of each kind.
const CLASS_OF_KIND = { invalid: 'InvalidRecordError', retryable: 'RetryableError' } as const;

/**
 * Decides, for each record of a finished batch, between ack, retry and dead-letter. Pure: it
 * reads the records and changes nothing; the state machine applies the plan. Rules (design §4):
 * success → ack all; partial → ack the others (ordered lanes: only those before the lane's first
 * failure, the rest retried from there); failure → nothing acked, bisected when enabled,
 * otherwise counted against `maxRetryAttempts`; a throttle never uses up the retry budget.
 */
export function planSettlement<M extends RelayMessage>(
  records: readonly TrackedRecord<M>[],
  outcome: BatchOutcome,
  now: number,
  rules: SettleRules,
  newGroup: () => number,
): SettlementPlan<M> {
  const plan: SettlementPlan<M> = { decisions: [] };
  if (outcome.type === 'success' || (outcome.type === 'partial' && outcome.failedIds.length === 0 && !outcome.invalidIds?.length)) {
    plan.decisions = records.map((record) => ({ record, decision: { action: 'ack' } }));
    return plan;
  }
  if (outcome.type === 'partial') {
    const inBatch = new Set(records.map((r) => r.id));
    const unknown = outcome.failedIds.filter((id) => !inBatch.has(id));
    if (unknown.length > 0) {
      const badResponse = `batchItemFailures names ids not in the batch: ${unknown.slice(0, 3).join(', ')}`;
      return { ...planSettlement(records, { type: 'failure', error: badResponse, errorClass: 'BadResponse' }, now, rules, newGroup), badResponse };
    }
    return planPartial(records, outcome, now, rules);
  }
  if (!outcome.throttled && !outcome.invalidRecordId && rules.bisectOnError && records.length > 1) {
    // Split without counting a retry (as Lambda does): halving ends at single records, which
    // then use up the retry budget and, being alone, carry only their own fate.
    const half = Math.ceil(records.length / 2);
    const groups = [newGroup(), newGroup()];
    plan.bisected = true;
    plan.decisions = records.map((record, i) => ({
      record,
      decision: {
        action: 'retry',
        failed: true,
        counted: false,
        exhausted: false,
        error: outcome.error,
        ...classOf(outcome),
        group: groups[i < half ? 0 : 1]!,
        notBefore: now,
      },
    }));
    return plan;
  }
  const invalid = outcome.invalidRecordId === undefined ? undefined : records.find((r) => r.id === outcome.invalidRecordId);
  const retried: Array<{ record: TrackedRecord<M>; counted: boolean }> = [];
  for (const record of records) {
    if (record === invalid && rules.hasDeadLetterTopic) {
      plan.decisions.push({ record, decision: { action: 'dead-letter', reason: 'invalid-record', error: outcome.error, errorClass: 'InvalidRecordError' } });
    } else {
      // A throttle, or a failure caused by another record that was declared invalid, does not count.
      retried.push({ record, counted: !outcome.throttled && (invalid === undefined || record === invalid) });
    }
  }
  const throttleDelay = outcome.throttled ? Math.max(outcome.retryAfterMs ?? 0, rules.backoff(Math.max(1, ...records.map((r) => r.attempts)))) : 0;
  plan.decisions.push(...retryDecisions(retried, outcome.error, classOf(outcome).errorClass, now, Math.max(throttleDelay, outcome.retryAfterMs ?? 0), rules));
  return plan;
}

function planPartial<M extends RelayMessage>(
  records: readonly TrackedRecord<M>[],
  outcome: Extract<BatchOutcome, { type: 'partial' }>,
  now: number,
  rules: SettleRules,
): SettlementPlan<M> {
  const plan: SettlementPlan<M> = { decisions: [] };
  const failedIds = new Set(outcome.failedIds);
  const invalidIds = new Set(outcome.invalidIds ?? []);
  const failedLanes = new Set<string>();
  const retried: Array<{ record: TrackedRecord<M>; counted: boolean; error?: string; errorClass?: string }> = [];
  for (const record of records) {
    const message = outcome.errors?.get(record.id);
    if (invalidIds.has(record.id) && rules.hasDeadLetterTopic) {
      plan.decisions.push({
        record,
        decision: {
          action: 'dead-letter',
          reason: 'invalid-record',
          error: message ?? 'the function marked the record invalid',
          errorClass: CLASS_OF_KIND.invalid,
        },
      });
      continue;
    }
    const failedHere = failedIds.has(record.id) || invalidIds.has(record.id);
    if (failedHere || (rules.ordering !== 'none' && failedLanes.has(record.lane))) {
      if (rules.ordering !== 'none') failedLanes.add(record.lane);
      retried.push({
        record,
        counted: failedHere,
        ...(failedHere
          ? { error: message ?? 'listed in batchItemFailures', errorClass: invalidIds.has(record.id) ? CLASS_OF_KIND.invalid : CLASS_OF_KIND.retryable }
          : {}),
      });
    } else {
      plan.decisions.push({ record, decision: { action: 'ack' } });
    }
  }
  plan.decisions.push(...retryDecisions(retried, 'listed in batchItemFailures', CLASS_OF_KIND.retryable, now, 0, rules));
  return plan;
}

/**
 * Retries, counting each failure against the budget: a record past it goes to the dead-letter
 * topic, or stays (reported as stuck) without one. All retried records wait for the slowest
 * backoff, so an ordered lane stays in order.
 */
function retryDecisions<M extends RelayMessage>(
  retried: ReadonlyArray<{ record: TrackedRecord<M>; counted: boolean; error?: string; errorClass?: string }>,
  error: string,
  errorClass: string | undefined,
  now: number,
  minDelay: number,
  rules: SettleRules,
): SettlementPlan<M>['decisions'] {
  const out: SettlementPlan<M>['decisions'] = [];
  const kept: Array<{ record: TrackedRecord<M>; decision: Extract<RecordDecision, { action: 'retry' }> }> = [];
  let worstRetries = 0;
  for (const { record, counted, ...own } of retried) {
    const message = own.error ?? error;
    const cls = own.errorClass ?? errorClass ?? 'Error';
    if (counted) {
      const retries = record.retries + 1;
      const exhausted = rules.maxRetryAttempts >= 0 && retries > rules.maxRetryAttempts;
      if (exhausted && rules.hasDeadLetterTopic) {
        out.push({ record, decision: { action: 'dead-letter', reason: 'retries-exhausted', error: message, errorClass: cls } });
        continue;
      }
      worstRetries = Math.max(worstRetries, retries);
      kept.push({ record, decision: { action: 'retry', failed: true, counted: true, exhausted, error: message, errorClass: cls, notBefore: now } });
    } else {
      kept.push({
        record,
        decision: {
          action: 'retry',
          failed: own.error !== undefined,
          counted: false,
          exhausted: false,
          ...(own.error ? { error: own.error, errorClass: cls } : {}),
          notBefore: now,
        },
      });
    }
  }
  const delay = Math.max(minDelay, worstRetries > 0 ? rules.backoff(worstRetries) : 0);
  for (const k of kept) k.decision.notBefore = now + delay;
  return [...out, ...kept];
}

function classOf(outcome: Extract<BatchOutcome, { type: 'failure' }>): { errorClass: string } {
  return { errorClass: outcome.errorClass ?? 'Error' };
}
