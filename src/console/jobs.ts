import { randomUUID } from 'node:crypto';
import type { DeadLetterFilter, DeadLetterTopic, RedriveProgress, RedriveSummary } from '../dlq/types.js';
import { redact } from './redact.js';

/** A redrive started from the page, as the page follows it. */
export interface RedriveJob {
  id: string;
  topic: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  startedAt: number;
  endedAt?: number;
  /** How many records were selected (when the page sent ids). */
  selected?: number;
  progress: RedriveProgress;
  summary?: RedriveSummary;
  error?: string;
}

/**
 * Redrives in progress and the last finished ones. Each reports its progress to `onChange` as it
 * goes, which the server forwards to every open page.
 *
 * @example
 * const jobs = new RedriveJobs((job) => broadcast('job', job));
 * const job = jobs.start(dlq, { ids: ['/default/orders-dlq@3'] }, {});
 */
export class RedriveJobs {
  private readonly jobs = new Map<string, { job: RedriveJob; abort: AbortController; done: Promise<void> }>();

  constructor(
    private readonly onChange: (job: RedriveJob) => void,
    private readonly keep = 20,
  ) {}

  start(dlq: DeadLetterTopic, filter: DeadLetterFilter, options: { to?: string; dryRun?: boolean; ratePerSecond?: number }): RedriveJob {
    const abort = new AbortController();
    const job: RedriveJob = {
      id: randomUUID(),
      topic: dlq.topic,
      state: 'running',
      startedAt: Date.now(),
      progress: { matched: 0, sent: 0, failed: 0 },
      ...(filter.ids ? { selected: filter.ids.length } : {}),
    };
    const done = dlq
      .redrive(filter, {
        ...options,
        signal: abort.signal,
        onProgress: (p) => {
          job.progress = { ...p };
          this.onChange({ ...job });
        },
      })
      .then(
        (summary) => {
          job.summary = summary;
          job.progress = { matched: summary.matched, sent: summary.sent, failed: summary.failed };
          job.state = abort.signal.aborted ? 'cancelled' : 'done';
        },
        (err: unknown) => {
          job.state = abort.signal.aborted ? 'cancelled' : 'failed';
          job.error = redact((err as Error)?.message ?? String(err));
        },
      )
      .finally(() => {
        job.endedAt = Date.now();
        this.onChange({ ...job });
        this.prune();
      });
    this.jobs.set(job.id, { job, abort, done });
    this.onChange({ ...job });
    return { ...job };
  }

  get(id: string): RedriveJob | undefined {
    const entry = this.jobs.get(id);
    return entry && { ...entry.job };
  }

  list(): RedriveJob[] {
    return [...this.jobs.values()].map((e) => ({ ...e.job })).reverse();
  }

  cancel(id: string): boolean {
    const entry = this.jobs.get(id);
    if (!entry || entry.job.state !== 'running') return false;
    entry.abort.abort();
    return true;
  }

  /** Cancels what runs and waits for it to stop. */
  async close(): Promise<void> {
    for (const e of this.jobs.values()) e.abort.abort();
    await Promise.allSettled([...this.jobs.values()].map((e) => e.done));
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((e) => e.job.state !== 'running');
    for (const e of finished.slice(0, Math.max(0, finished.length - this.keep))) this.jobs.delete(e.job.id);
  }
}
