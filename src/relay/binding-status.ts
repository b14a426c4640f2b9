import type { RelayMetrics } from './metrics.js';
import type { RelayBrokerConnectivity } from './ports.js';

/** The last thing that went wrong for a binding, when, and how many times in a row. */
export interface BindingProblem {
  message: string;
  /** When it last happened, ms since the epoch. */
  at: number;
  /** How many times it happened since something else happened or the binding recovered. */
  count: number;
  /** Set when it keeps the binding from delivering at all: `/readyz` names it. */
  reason?: NotReadyReason;
}

/**
 * What a binding runner reports about itself, as data: the status, the readiness and the
 * metrics are computed from it, so nothing reads the runner's own fields.
 */
export interface BindingSnapshot {
  name: string;
  topic: string;
  subscription: string;
  function: 'lambda' | 'http' | 'local';
  /** A consumer is subscribed. */
  subscribed: boolean;
  /** Subscribed, and every partition's receive stream open (the consumer can tell). */
  attached: boolean;
  /** The last subscribe failed because the topic does not exist (yet). */
  topicMissing: boolean;
  stopping: boolean;
  problem?: BindingProblem;
  buffered: number;
  inFlightBatches: number;
  inFlightRecords: number;
  stuck: number;
  /** Publish time of the oldest record read and not acked, if any. */
  oldestPublishTime?: number;
}

/**
 * Why a binding is not ready: its topic does not exist yet, its consumer is not subscribed for
 * another reason, it is subscribed but resubscribing (no receive stream open, e.g. after a
 * broker outage), the client cannot reach the broker, the broker refuses the relay's token
 * (`unauthenticated`) or its permissions (`permission-denied`), or the function cannot be
 * invoked as configured (`sink-unavailable`: a module that does not import, an export that is
 * no sink, a Lambda function that does not exist or may not be invoked, a refused signature).
 */
export type NotReadyReason =
  | 'topic-missing'
  | 'not-subscribed'
  | 'resubscribing'
  | 'broker-unreachable'
  | 'unauthenticated'
  | 'permission-denied'
  | 'sink-unavailable';

/** What `GET /readyz` answers (503 unless `ready`). */
export interface RelayReadiness {
  ready: boolean;
  /** Every binding that is not ready, with why (empty when ready). */
  notReady: Array<{ binding: string; reasons: NotReadyReason[]; lastError?: string }>;
  /** The brokers the client talks to, when the client reports connectivity. */
  brokers?: RelayBrokerConnectivity[];
}

/**
 * Readiness of the relay: every enabled binding subscribed with its receive streams open and,
 * when the client can tell, every broker reachable. Reachability turns an outage into a 503
 * promptly (a stream can outlive a dead broker for a while); the streams keep it 503 after the
 * broker is back until the consumer has resubscribed, so a 200 means it receives again.
 */
export function relayReadiness(
  bindings: readonly BindingSnapshot[],
  connectivity: { reachable: boolean; brokers: RelayBrokerConnectivity[] } | undefined,
): RelayReadiness {
  const unreachable = connectivity !== undefined && !connectivity.reachable;
  const notReady: RelayReadiness['notReady'] = [];
  for (const b of bindings) {
    const reasons: NotReadyReason[] = [];
    const blocked = b.problem?.reason;
    if (unreachable) reasons.push('broker-unreachable');
    if (blocked) reasons.push(blocked);
    else if (!b.subscribed) reasons.push(b.topicMissing ? 'topic-missing' : 'not-subscribed');
    else if (!b.attached) reasons.push('resubscribing');
    if (reasons.length === 0) continue;
    notReady.push(b.problem === undefined ? { binding: b.name, reasons } : { binding: b.name, reasons, lastError: b.problem.message });
  }
  const readiness: RelayReadiness = { ready: bindings.length > 0 && notReady.length === 0, notReady };
  if (connectivity) readiness.brokers = connectivity.brokers;
  return readiness;
}

/** What `status()` and `GET /status` report for one binding. */
export interface BindingStatus {
  name: string;
  topic: string;
  subscription: string;
  function: 'lambda' | 'http' | 'local';
  /**
   * `running`: subscribed and receiving; `connecting`: (re)subscribing; `unavailable`: it cannot
   * deliver (the function cannot be invoked, or the broker refuses the relay): see `lastError`;
   * `stopping` / `stopped`.
   */
  state: 'running' | 'connecting' | 'unavailable' | 'stopping' | 'stopped';
  subscribed: boolean;
  /** The last thing that went wrong (subscribing, the consumer, reaching the function), if unresolved. */
  lastError?: string;
  /** When it last happened (ms since the epoch) and how many times in a row. */
  lastErrorAt?: number;
  errorCount?: number;
  /** Records read and waiting for a batch (retries in backoff included). */
  buffered: number;
  inFlightBatches: number;
  inFlightRecords: number;
  /** Records past maxRetryAttempts retried on for lack of a deadLetterTopic: never silently dropped. */
  stuck: number;
  /** Age (since publish) of the oldest record read and not acked, in ms (0 when none). */
  oldestUnackedAgeMs: number;
  counts: {
    received: number;
    filtered: number;
    invocations: number;
    succeeded: number;
    failed: number;
    retried: number;
    deadLettered: number;
    redeliveriesIgnored: number;
  };
}

/** Problems under which a binding delivers nothing, whatever its consumer does. */
const BLOCKING: ReadonlySet<NotReadyReason> = new Set(['unauthenticated', 'permission-denied', 'sink-unavailable']);

/** Builds a binding's status from its snapshot and the metrics counters. */
export function bindingStatus(b: BindingSnapshot, m: RelayMetrics, now: number): BindingStatus {
  const c = m.counts(b.name);
  let deadLettered = 0;
  for (const n of c.deadLettered.values()) deadLettered += n;
  const status: BindingStatus = {
    name: b.name,
    topic: b.topic,
    subscription: b.subscription,
    function: b.function,
    state: b.stopping
      ? b.subscribed || b.inFlightBatches
        ? 'stopping'
        : 'stopped'
      : b.problem?.reason && BLOCKING.has(b.problem.reason)
        ? 'unavailable'
        : b.attached
          ? 'running'
          : 'connecting',
    subscribed: b.subscribed,
    buffered: b.buffered,
    inFlightBatches: b.inFlightBatches,
    inFlightRecords: b.inFlightRecords,
    stuck: b.stuck,
    oldestUnackedAgeMs: b.oldestPublishTime === undefined ? 0 : Math.max(0, now - b.oldestPublishTime),
    counts: {
      received: c.received,
      filtered: c.filtered,
      invocations: c.invocations,
      succeeded: c.succeeded,
      failed: c.failed,
      retried: c.retried,
      deadLettered,
      redeliveriesIgnored: c.redeliveriesIgnored,
    },
  };
  if (b.problem) {
    status.lastError = b.problem.message;
    status.lastErrorAt = b.problem.at;
    status.errorCount = b.problem.count;
  }
  return status;
}
