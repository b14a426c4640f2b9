import type { SourceRunEntry } from './types.js';

/** The figures of a source's last run, as the scheduler reports them. */
export interface LastRun {
  runs: number;
  errors: number;
  lastRunAt?: number;
  lastDurationMs?: number;
  lastRecords?: number;
  lastStopReason?: string;
  lastError?: string;
  checkpoint?: unknown;
}

/**
 * The last runs of each source, newest first. The scheduler keeps only the last one, so the console
 * notes each run as its count goes up (a run that ends between two samples is noted at the next).
 *
 * @example
 * const log = new RunLog(20);
 * log.observe('exampleSource', view);
 * log.runs('exampleSource');
 */
export class RunLog {
  private readonly seen = new Map<string, { runs: number; errors: number; entries: SourceRunEntry[]; lastErrorAt?: number }>();

  constructor(private readonly keep = 20) {}

  observe(name: string, v: LastRun): void {
    let s = this.seen.get(name);
    if (!s) {
      s = { runs: 0, errors: 0, entries: [] };
      this.seen.set(name, s);
    }
    if (v.runs > s.runs && v.lastRunAt !== undefined) {
      const failed = v.lastStopReason === 'error';
      const entry: SourceRunEntry = { at: v.lastRunAt };
      if (v.lastDurationMs !== undefined) entry.durationMs = v.lastDurationMs;
      if (v.lastRecords !== undefined && !failed) entry.records = v.lastRecords;
      if (v.lastStopReason !== undefined) entry.stopReason = v.lastStopReason;
      if (failed && v.lastError !== undefined) entry.error = v.lastError;
      if (v.checkpoint !== undefined) entry.checkpoint = v.checkpoint;
      s.entries.unshift(entry);
      if (s.entries.length > this.keep) s.entries.length = this.keep;
    }
    if (v.errors > s.errors) s.lastErrorAt = v.lastRunAt;
    s.runs = v.runs;
    s.errors = v.errors;
  }

  runs(name: string): SourceRunEntry[] {
    return [...(this.seen.get(name)?.entries ?? [])];
  }

  lastErrorAt(name: string): number | undefined {
    return this.seen.get(name)?.lastErrorAt;
  }
}
