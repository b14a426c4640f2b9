import { collectDefaultMetrics, Registry, type Metric } from 'prom-client';

let shared: readonly Metric[] | undefined;

/**
 * prom-client's process metrics (`process_cpu_seconds_total`, `process_resident_memory_bytes`,
 * `nodejs_eventloop_lag_seconds`, `nodejs_gc_duration_seconds`, heap, handles, ...), under their
 * usual names so that existing Node dashboards and alerts apply to the relay as they are.
 *
 * They describe the process, not a relay, and collecting them starts an event-loop delay monitor
 * and a GC observer that are never stopped: so they are collected once per process, and every
 * relay's registry registers the same metric objects (two relays started in one process share
 * them instead of each starting its own monitors).
 *
 * @example
 * for (const metric of processMetrics()) registry.registerMetric(metric);
 */
export function processMetrics(): readonly Metric[] {
  if (!shared) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    shared = registry.getMetricsAsArray().map((m) => registry.getSingleMetric(m.name)!);
  }
  return shared;
}
