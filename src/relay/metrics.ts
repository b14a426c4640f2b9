import { Counter, Gauge, Histogram, Registry } from './prometheus.js';

/** Seconds; invocations range from a no-op sink (sub-ms) to a 15-minute Lambda. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
const SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];

/**
 * Every metric the relay exposes on `/metrics`, labelled by `binding`. Counters are updated by the
 * binding runners; gauges are read from each binding's state when scraped.
 *
 * @example
 * const metrics = new RelayMetrics();
 * metrics.received.inc({ binding: 'orders' }, 10);
 * res.end(metrics.render());
 */
export class RelayMetrics {
  readonly registry = new Registry();
  readonly received = this.counter('danube_relay_records_received_total', 'Records read from the topic (redeliveries of in-flight records excluded).');
  readonly redeliveriesIgnored = this.counter('danube_relay_redeliveries_ignored_total', 'Broker redeliveries of records the relay was still working on or had just acked; not invoked again.');
  readonly filtered = this.counter('danube_relay_records_filtered_total', 'Records acked without invocation because no filter matched.');
  readonly invocations = this.counter('danube_relay_invocations_total', 'Function invocations (batches sent).');
  readonly invocationFailures = this.counter('danube_relay_invocation_failures_total', 'Invocations that failed as a whole, by reason.');
  readonly succeeded = this.counter('danube_relay_records_succeeded_total', 'Records the function handled and the relay acked.');
  readonly failed = this.counter('danube_relay_records_failed_total', 'Record attempts that failed (whole-batch failure or listed in batchItemFailures).');
  readonly retried = this.counter('danube_relay_records_retried_total', 'Records scheduled for another attempt.');
  readonly deadLettered = this.counter('danube_relay_records_dead_lettered_total', 'Records published to the dead-letter topic and acked, by reason.');
  readonly ackFailures = this.counter('danube_relay_ack_failures_total', 'Acks the broker refused or that could not be sent (the broker will redeliver).');
  readonly batchSize = this.registry.register(new Histogram('danube_relay_batch_size', 'Records per invocation.', SIZE_BUCKETS));
  readonly invokeLatency = this.registry.register(new Histogram('danube_relay_invoke_duration_seconds', 'Invocation wall time.', LATENCY_BUCKETS));
  readonly inFlight = this.gauge('danube_relay_records_in_flight', 'Records in batches being invoked.');
  readonly buffered = this.gauge('danube_relay_records_buffered', 'Records read and waiting for a batch (including retries in backoff).');
  readonly oldestUnackedAge = this.gauge('danube_relay_oldest_unacked_age_seconds', 'Age (since publish) of the oldest record read but not yet acked.');
  readonly stuck = this.gauge('danube_relay_records_retrying_without_dlq', 'Records past maxRetryAttempts that keep being retried because the binding has no deadLetterTopic.');
  readonly up = this.gauge('danube_relay_binding_up', '1 while the binding is subscribed and reading, else 0.');

  private counter(name: string, help: string): Counter {
    return this.registry.register(new Counter(name, help));
  }

  private gauge(name: string, help: string): Gauge {
    return this.registry.register(new Gauge(name, help));
  }

  render(): string {
    return this.registry.render();
  }
}
