import { describe, expect, it } from 'vitest';
import { addByReason, RelayMetrics } from '../../../src/relay/metrics.js';

describe('RelayMetrics', () => {
  it('renders counters, gauges and histograms in the Prometheus text format', async () => {
    const m = new RelayMetrics();
    const c = m.counts('a');
    c.received += 3;
    addByReason(c.deadLettered, 'too-large');
    m.batchSize.observe({ binding: 'a' }, 7);
    m.invokeLatency.observe({ binding: 'a' }, 0.02);
    const remove = m.gauges('a', () => ({ inFlight: 7, buffered: 0, stuck: 0, up: 1, oldestUnackedAgeSeconds: 1.5 }));
    const text = await m.render();
    expect(text).toContain('# TYPE danube_relay_records_received_total counter');
    expect(text).toContain('danube_relay_records_received_total{binding="a"} 3');
    expect(text).toContain('danube_relay_records_dead_lettered_total{binding="a",reason="too-large"} 1');
    expect(text).toContain('danube_relay_batch_size_bucket{le="5",binding="a"} 0');
    expect(text).toContain('danube_relay_batch_size_bucket{le="10",binding="a"} 1');
    expect(text).toContain('danube_relay_batch_size_bucket{le="+Inf",binding="a"} 1');
    expect(text).toContain('danube_relay_batch_size_sum{binding="a"} 7');
    expect(text).toContain('danube_relay_invoke_duration_seconds_bucket{le="0.025",binding="a"} 1');
    expect(text).toContain('danube_relay_records_in_flight{binding="a"} 7');
    expect(text).toContain('danube_relay_oldest_unacked_age_seconds{binding="a"} 1.5');
    expect(text).toContain('danube_relay_binding_up{binding="a"} 1');
    remove();
    expect(await m.render()).not.toContain('danube_relay_records_in_flight{binding="a"}');
    expect(text.endsWith('\n')).toBe(true);
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('exposes every metric the relay documents, with its type', async () => {
    const m = new RelayMetrics();
    const text = await m.render();
    const types = Object.fromEntries([...text.matchAll(/^# TYPE (danube_relay_\S+) (\S+)$/gm)].map((x) => [x[1], x[2]]));
    expect(types).toEqual({
      danube_relay_records_received_total: 'counter',
      danube_relay_redeliveries_ignored_total: 'counter',
      danube_relay_records_filtered_total: 'counter',
      danube_relay_invocations_total: 'counter',
      danube_relay_records_succeeded_total: 'counter',
      danube_relay_records_failed_total: 'counter',
      danube_relay_records_retried_total: 'counter',
      danube_relay_ack_failures_total: 'counter',
      danube_relay_invocation_failures_total: 'counter',
      danube_relay_records_dead_lettered_total: 'counter',
      danube_relay_batch_size: 'histogram',
      danube_relay_invoke_duration_seconds: 'histogram',
      danube_relay_records_in_flight: 'gauge',
      danube_relay_records_buffered: 'gauge',
      danube_relay_oldest_unacked_age_seconds: 'gauge',
      danube_relay_records_retrying_without_dlq: 'gauge',
      danube_relay_binding_up: 'gauge',
    });
  });

  it('adds the process metrics operators alert on: CPU, memory, event-loop lag, GC', async () => {
    const text = await new RelayMetrics().render();
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_gc_duration_seconds',
    ]) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
  });

  it('gives each relay its own registry: two in one process neither collide nor share counts', async () => {
    const one = new RelayMetrics();
    const two = new RelayMetrics();
    one.counts('a').received += 2;
    two.counts('a').received += 5;
    expect(await one.render()).toContain('danube_relay_records_received_total{binding="a"} 2');
    expect(await two.render()).toContain('danube_relay_records_received_total{binding="a"} 5');
    expect(await two.render()).toMatch(/^process_cpu_seconds_total \d/m);
  });

  it('escapes label values', async () => {
    const m = new RelayMetrics();
    m.counts('we"ird\\name').received++;
    expect(await m.render()).toContain('danube_relay_records_received_total{binding="we\\"ird\\\\name"} 1');
  });
});
