import type { BindingRunner } from './binding-runner.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayBrokerConnectivity } from './ports.js';

/**
 * Why a binding is not ready: its topic does not exist yet, its consumer is not subscribed for
 * another reason, it is subscribed but resubscribing (no receive stream open, e.g. after a
 * broker outage), or the client cannot reach the broker.
 */
export type NotReadyReason = 'topic-missing' | 'not-subscribed' | 'resubscribing' | 'broker-unreachable';

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
  runners: readonly BindingRunner[],
  connectivity: { reachable: boolean; brokers: RelayBrokerConnectivity[] } | undefined,
): RelayReadiness {
  const unreachable = connectivity !== undefined && !connectivity.reachable;
  const notReady: RelayReadiness['notReady'] = [];
  for (const r of runners) {
    const reasons: NotReadyReason[] = [];
    if (unreachable) reasons.push('broker-unreachable');
    if (!r.subscribed) reasons.push(r.topicMissing ? 'topic-missing' : 'not-subscribed');
    else if (!r.attached) reasons.push('resubscribing');
    if (reasons.length === 0) continue;
    notReady.push(r.lastError === undefined ? { binding: r.binding.name, reasons } : { binding: r.binding.name, reasons, lastError: r.lastError });
  }
  const readiness: RelayReadiness = { ready: runners.length > 0 && notReady.length === 0, notReady };
  if (connectivity) readiness.brokers = connectivity.brokers;
  return readiness;
}

/** What `status()` and `GET /status` report for one binding. */
export interface BindingStatus {
  name: string;
  topic: string;
  subscription: string;
  function: 'lambda' | 'http' | 'local';
  /** `running`: subscribed and receiving; `connecting`: (re)subscribing; `stopping` / `stopped`. */
  state: 'running' | 'connecting' | 'stopping' | 'stopped';
  subscribed: boolean;
  lastError?: string;
  /** Records read and waiting for a batch (retries in backoff included). */
  buffered: number;
  inFlightBatches: number;
  inFlightRecords: number;
  /** Records past maxRetryAttempts retried on for lack of a deadLetterTopic: never silently dropped. */
  stuck: number;
  /** Age (since publish) of the oldest record read and not acked, in ms (0 when none). */
  oldestUnackedAgeMs: number;
  counts: {
    received: number; filtered: number; invocations: number; succeeded: number; failed: number;
    retried: number; deadLettered: number; redeliveriesIgnored: number;
  };
}

/** Builds a binding's status from its runner and the metrics counters. */
export function bindingStatus(runner: BindingRunner, m: RelayMetrics, now: number): BindingStatus {
  const b = runner.binding;
  const c = m.counts(b.name);
  const oldest = runner.state.oldestPublishTime();
  let deadLettered = 0;
  for (const n of c.deadLettered.values()) deadLettered += n;
  const status: BindingStatus = {
    name: b.name,
    topic: b.topic,
    subscription: b.subscription.name,
    function: b.function.type,
    state: runner.isStopping ? (runner.subscribed || runner.state.inFlightBatches ? 'stopping' : 'stopped') : runner.attached ? 'running' : 'connecting',
    subscribed: runner.subscribed,
    buffered: runner.state.pendingCount,
    inFlightBatches: runner.state.inFlightBatches,
    inFlightRecords: runner.state.inFlightRecords,
    stuck: runner.state.stuckCount,
    oldestUnackedAgeMs: oldest === undefined ? 0 : Math.max(0, now - oldest),
    counts: {
      received: c.received, filtered: c.filtered, invocations: c.invocations, succeeded: c.succeeded,
      failed: c.failed, retried: c.retried, deadLettered, redeliveriesIgnored: c.redeliveriesIgnored,
    },
  };
  if (runner.lastError !== undefined) status.lastError = runner.lastError;
  return status;
}
