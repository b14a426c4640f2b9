import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InvokeFailureReason } from './errors.js';
import { processMetrics } from './process-metrics.js';
import type { DeadLetterReason } from '../core/dead-letter.js';

/** Seconds; invocations range from a no-op sink (sub-ms) to a 15-minute Lambda. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
const SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];

/**
 * What one binding counted since the relay started. The binding runner adds to these plain
 * numbers on its hot path; `/status` reports them and the counters on `/metrics` read them when
 * scraped, so the two can never disagree.
 */
export interface BindingCounts {
  received: number;
  redeliveriesIgnored: number;
  filtered: number;
  invocations: number;
  succeeded: number;
  failed: number;
  retried: number;
  ackFailures: number;
  invocationFailures: Map<InvokeFailureReason, number>;
  deadLettered: Map<DeadLetterReason, number>;
}

/** A binding's point-in-time values, read when `/metrics` is scraped. */
export interface BindingGauges {
  inFlight: number;
  buffered: number;
  stuck: number;
  up: number;
  oldestUnackedAgeSeconds: number;
}

type PlainCount = Exclude<keyof BindingCounts, 'invocationFailures' | 'deadLettered'>;

const COUNTERS: ReadonlyArray<readonly [string, string, PlainCount]> = [
  ['danube_relay_records_received_total', 'Records read from the topic (redeliveries of in-flight records excluded).', 'received'],
  [
    'danube_relay_redeliveries_ignored_total',
    'Broker redeliveries of records the relay was still working on or had just acked; not invoked again.',
    'redeliveriesIgnored',
  ],
  ['danube_relay_records_filtered_total', 'Records acked without invocation because no filter matched.', 'filtered'],
  ['danube_relay_invocations_total', 'Function invocations (batches sent).', 'invocations'],
  ['danube_relay_records_succeeded_total', 'Records the function handled and the relay acked.', 'succeeded'],
  ['danube_relay_records_failed_total', 'Record attempts that failed (whole-batch failure or listed in batchItemFailures).', 'failed'],
  ['danube_relay_records_retried_total', 'Records scheduled for another attempt.', 'retried'],
  ['danube_relay_ack_failures_total', 'Acks the broker refused or that could not be sent (the broker will redeliver).', 'ackFailures'],
];

const REASON_COUNTERS: ReadonlyArray<readonly [string, string, 'invocationFailures' | 'deadLettered']> = [
  ['danube_relay_invocation_failures_total', 'Invocations that failed as a whole, by reason.', 'invocationFailures'],
  ['danube_relay_records_dead_lettered_total', 'Records published to the dead-letter topic and acked, by reason.', 'deadLettered'],
];

const GAUGES: ReadonlyArray<readonly [string, string, keyof BindingGauges]> = [
  ['danube_relay_records_in_flight', 'Records in batches being invoked.', 'inFlight'],
  ['danube_relay_records_buffered', 'Records read and waiting for a batch (including retries in backoff).', 'buffered'],
  ['danube_relay_oldest_unacked_age_seconds', 'Age (since publish) of the oldest record read but not yet acked.', 'oldestUnackedAgeSeconds'],
  ['danube_relay_records_retrying_without_dlq', 'Records past maxRetryAttempts that keep being retried because the binding has no deadLetterTopic.', 'stuck'],
  ['danube_relay_binding_up', '1 while the binding is subscribed and reading, else 0.', 'up'],
];

/**
 * Every metric the relay exposes on `/metrics`, labelled by `binding`, in a prom-client registry
 * of its own (two relays in one process never collide), plus prom-client's process metrics.
 * Counters are the bindings' {@link BindingCounts}; gauges are read from each binding's state
 * when scraped; the two histograms are observed per invocation.
 *
 * @example
 * const metrics = new RelayMetrics();
 * metrics.counts('orders').received += 10;
 * res.end(await metrics.render());
 */
export class RelayMetrics {
  readonly registry = new Registry();
  readonly batchSize: Histogram<'binding'>;
  readonly invokeLatency: Histogram<'binding'>;
  private readonly bindingCounts = new Map<string, BindingCounts>();
  private readonly bindingGauges = new Map<string, () => BindingGauges>();

  constructor() {
    for (const metric of processMetrics()) this.registry.registerMetric(metric);
    const registers = [this.registry];
    const counts = this.bindingCounts;
    const gauges = this.bindingGauges;
    for (const [name, help, key] of COUNTERS) {
      new Counter({
        name,
        help,
        labelNames: ['binding'],
        registers,
        collect() {
          this.reset();
          for (const [binding, c] of counts) this.inc({ binding }, c[key]);
        },
      });
    }
    for (const [name, help, key] of REASON_COUNTERS) {
      new Counter({
        name,
        help,
        labelNames: ['binding', 'reason'],
        registers,
        collect() {
          this.reset();
          for (const [binding, c] of counts) for (const [reason, n] of c[key]) this.inc({ binding, reason }, n);
        },
      });
    }
    this.batchSize = new Histogram({
      name: 'danube_relay_batch_size',
      help: 'Records per invocation.',
      labelNames: ['binding'],
      buckets: SIZE_BUCKETS,
      registers,
    });
    this.invokeLatency = new Histogram({
      name: 'danube_relay_invoke_duration_seconds',
      help: 'Invocation wall time.',
      labelNames: ['binding'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    for (const [name, help, key] of GAUGES) {
      new Gauge({
        name,
        help,
        labelNames: ['binding'],
        registers,
        collect() {
          this.reset();
          for (const [binding, read] of gauges) this.set({ binding }, read()[key]);
        },
      });
    }
  }

  /** The counts of a binding, at zero on first use; the caller adds to them. */
  counts(binding: string): BindingCounts {
    let c = this.bindingCounts.get(binding);
    if (!c) {
      c = {
        received: 0,
        redeliveriesIgnored: 0,
        filtered: 0,
        invocations: 0,
        succeeded: 0,
        failed: 0,
        retried: 0,
        ackFailures: 0,
        invocationFailures: new Map(),
        deadLettered: new Map(),
      };
      this.bindingCounts.set(binding, c);
    }
    return c;
  }

  /** Reports a binding's gauges at every scrape until the returned function is called. */
  gauges(binding: string, read: () => BindingGauges): () => void {
    this.bindingGauges.set(binding, read);
    return () => {
      if (this.bindingGauges.get(binding) === read) this.bindingGauges.delete(binding);
    };
  }

  /** The `/metrics` body, in the Prometheus text format of {@link contentType}. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Adds `n` to a count kept by reason. */
export function addByReason<R extends string>(counts: Map<R, number>, reason: R, n = 1): void {
  counts.set(reason, (counts.get(reason) ?? 0) + n);
}
