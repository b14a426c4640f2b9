import { describe, expect, it } from 'vitest';
import { RelayMetrics } from '../../../src/relay/metrics.js';

describe('RelayMetrics', () => {
  it('renders counters, gauges and histograms in the Prometheus text format', () => {
    const m = new RelayMetrics();
    m.received.inc({ binding: 'a' }, 3);
    m.deadLettered.inc({ binding: 'a', reason: 'too-large' });
    m.batchSize.observe({ binding: 'a' }, 7);
    m.invokeLatency.observe({ binding: 'a' }, 0.02);
    const remove = m.inFlight.collect(() => [[{ binding: 'a' }, 7]]);
    const text = m.render();
    expect(text).toContain('# TYPE danube_relay_records_received_total counter');
    expect(text).toContain('danube_relay_records_received_total{binding="a"} 3');
    expect(text).toContain('danube_relay_records_dead_lettered_total{binding="a",reason="too-large"} 1');
    expect(text).toContain('danube_relay_batch_size_bucket{binding="a",le="5"} 0');
    expect(text).toContain('danube_relay_batch_size_bucket{binding="a",le="10"} 1');
    expect(text).toContain('danube_relay_batch_size_bucket{binding="a",le="+Inf"} 1');
    expect(text).toContain('danube_relay_batch_size_sum{binding="a"} 7');
    expect(text).toContain('danube_relay_invoke_duration_seconds_bucket{binding="a",le="0.025"} 1');
    expect(text).toContain('danube_relay_records_in_flight{binding="a"} 7');
    remove();
    expect(m.render()).not.toContain('danube_relay_records_in_flight{binding="a"}');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('escapes label values', () => {
    const m = new RelayMetrics();
    m.received.inc({ binding: 'we"ird\\name' });
    expect(m.render()).toContain('danube_relay_records_received_total{binding="we\\"ird\\\\name"} 1');
  });
});
