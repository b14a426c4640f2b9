import type { ConsoleBinding, HistorySample } from './types.js';

/**
 * The last minutes of throughput and lag per binding, one sample per tick, for the charts. A page
 * that opens late gets what was sampled before it came.
 *
 * @example
 * const history = new History(600);
 * history.add(Date.now(), snapshot.bindings);
 * history.since(Date.now() - 60_000);
 */
export class History {
  private readonly samples: HistorySample[] = [];

  constructor(private readonly capacity: number) {}

  add(at: number, bindings: readonly ConsoleBinding[]): HistorySample {
    const sample: HistorySample = { at, bindings: {} };
    for (const b of bindings) {
      sample.bindings[b.name] = { recordsPerSecond: round(b.recordsPerSecond), oldestUnackedAgeMs: b.oldestUnackedAgeMs, backlog: b.backlog };
    }
    this.samples.push(sample);
    if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
    return sample;
  }

  since(at = 0): HistorySample[] {
    return this.samples.filter((s) => s.at >= at);
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Acked records per second per binding, from the difference of two readings of the counters:
 * the console keeps its own readings, so it never disturbs the terminal view's.
 */
export class RateMeter {
  private readonly last = new Map<string, { acked: number; at: number; rate: number }>();

  rate(name: string, acked: number, at: number): number {
    const before = this.last.get(name);
    if (!before) {
      this.last.set(name, { acked, at, rate: 0 });
      return 0;
    }
    // Readings closer than half a second apart keep the previous rate instead of a noisy one.
    if (at - before.at < 500) return before.rate;
    const rate = Math.max(0, (acked - before.acked) / ((at - before.at) / 1000));
    this.last.set(name, { acked, at, rate });
    return rate;
  }
}
