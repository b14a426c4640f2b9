// A minimal Prometheus text-format (0.0.4) registry: counters, gauges and histograms with labels.
// Small enough to own; the relay needs nothing a client library would add.

type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`)
    .join(',');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function fmt(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}

interface Metric {
  render(): string[];
}

/** A monotonically increasing count per label set. */
export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}

  inc(labels: Labels, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(labels: Labels): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, v] of this.values) lines.push(`${this.name}{${key}} ${fmt(v)}`);
    return lines;
  }
}

/** A value read when scraped, from callbacks that each report some label sets. */
export class Gauge implements Metric {
  private readonly sources: Array<() => Array<[Labels, number]>> = [];
  constructor(readonly name: string, readonly help: string) {}

  /** Adds a source; returns a function that removes it. */
  collect(source: () => Array<[Labels, number]>): () => void {
    this.sources.push(source);
    return () => {
      const i = this.sources.indexOf(source);
      if (i >= 0) this.sources.splice(i, 1);
    };
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const source of this.sources) for (const [labels, v] of source()) lines.push(`${this.name}{${labelKey(labels)}} ${fmt(v)}`);
    return lines;
  }
}

/** Cumulative buckets, sum and count per label set. */
export class Histogram implements Metric {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}

  observe(labels: Labels, value: number): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, s] of this.series) {
      const sep = key ? ',' : '';
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{${key}${sep}le="${fmt(b)}"} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket{${key}${sep}le="+Inf"} ${s.count}`);
      lines.push(`${this.name}_sum{${key}} ${fmt(s.sum)}`);
      lines.push(`${this.name}_count{${key}} ${s.count}`);
    }
    return lines;
  }
}

/** Holds metrics and renders them in the Prometheus text exposition format. */
export class Registry {
  private readonly metrics: Metric[] = [];

  register<M extends Metric>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }

  /** The `/metrics` body (content type `text/plain; version=0.0.4`). */
  render(): string {
    return `${this.metrics.flatMap((m) => m.render()).join('\n')}\n`;
  }
}
