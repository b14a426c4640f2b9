import type { Logger } from '../core/logger.js';
import type { SourceRunSummary } from '../source/summary.js';
import { invokeLocalLambda, type LocalLambda } from './lambda-invoke.js';
import type { Schedule } from './schedule.js';

/** What the status view shows for one scheduled function. */
export interface SourceView {
  function: string;
  /** The source's own name once a run reported it. */
  source?: string;
  schedules: string[];
  nextRunAt?: number;
  running: boolean;
  runs: number;
  /** Runs skipped because the previous one was still going (as a lease would refuse them). */
  skipped: number;
  lastRunAt?: number;
  lastDurationMs?: number;
  lastStopReason?: string;
  lastRecords?: number;
  records: number;
  deadLettered: number;
  checkpoint?: unknown;
  errors: number;
  lastError?: string;
  /** When the last error happened, ms since the epoch. */
  lastErrorAt?: number;
}

export interface ScheduledFunction {
  key: string;
  lambda: LocalLambda;
  schedules: Schedule[];
}

/**
 * Runs scheduled functions on their EventBridge schedules, in this process, with the scheduled
 * event Lambda would send and a Lambda-like context; keeps what each run reported.
 *
 * @example
 * const scheduler = new SourceScheduler([{ key: 'orders', lambda, schedules: [parseSchedule('rate(1 minute)')] }], logger);
 * scheduler.start(true);
 * await scheduler.runNow('orders');
 */
export class SourceScheduler {
  private readonly views = new Map<string, SourceView>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<SourceView>>();
  private stopped = false;

  constructor(
    private readonly functions: ScheduledFunction[],
    private readonly logger: Logger,
  ) {
    for (const f of functions) {
      this.views.set(f.key, {
        function: f.key,
        schedules: f.schedules.map((s) => s.expression),
        running: false,
        runs: 0,
        skipped: 0,
        records: 0,
        deadLettered: 0,
        errors: 0,
      });
    }
  }

  /** Arms every schedule; with `runNow`, every function also runs once at once. */
  start(runNow: boolean): void {
    for (const f of this.functions) {
      this.arm(f);
      if (runNow) void this.runNow(f.key).catch(() => undefined);
    }
  }

  status(): SourceView[] {
    return [...this.views.values()].map((v) => ({ ...v }));
  }

  /** Names a user may pass to `runNow`: function keys and source names. */
  resolve(name: string): string | undefined {
    if (this.views.has(name)) return name;
    return [...this.views.values()].find((v) => v.source === name)?.function;
  }

  /** Runs one function now (or joins its run in progress) and resolves with its view. */
  async runNow(name: string): Promise<SourceView> {
    const key = this.resolve(name);
    const f = this.functions.find((x) => x.key === key);
    if (!f) throw new Error(`no scheduled function or source "${name}" (known: ${[...this.views.keys()].join(', ')})`);
    const inFlight = this.running.get(f.key);
    if (inFlight) return inFlight;
    const run = this.run(f).finally(() => this.running.delete(f.key));
    this.running.set(f.key, run);
    return run;
  }

  /** Stops the schedules and waits for runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  private arm(f: ScheduledFunction): void {
    if (this.stopped) return;
    const now = Date.now();
    const next = Math.min(...f.schedules.map((s) => s.next(now) ?? Infinity));
    const view = this.views.get(f.key)!;
    if (!Number.isFinite(next)) {
      delete view.nextRunAt;
      return;
    }
    view.nextRunAt = next;
    // Long waits are cut into steps: timers cap at ~24.8 days, and a laptop may sleep.
    const timer = setTimeout(
      () => {
        this.timers.delete(f.key);
        if (Date.now() + 5 < next) return this.arm(f);
        if (this.running.has(f.key)) {
          view.skipped++;
          this.logger.warn({ function: f.key }, 'scheduled run skipped: the previous run is still going');
        } else void this.runNow(f.key).catch(() => undefined);
        this.arm(f);
      },
      Math.min(Math.max(0, next - now), 60_000),
    );
    timer.unref();
    this.timers.set(f.key, timer);
  }

  private async run(f: ScheduledFunction): Promise<SourceView> {
    const view = this.views.get(f.key)!;
    view.running = true;
    const started = Date.now();
    view.lastRunAt = started;
    const event = scheduledEvent(f);
    try {
      const result = (await invokeLocalLambda(f.lambda, event)) as Partial<SourceRunSummary> | undefined;
      view.runs++;
      if (result && typeof result === 'object' && typeof result.recordsPublished === 'number') {
        view.source = result.source ?? view.source;
        view.lastRecords = result.recordsPublished;
        view.records += result.recordsPublished;
        view.deadLettered += result.recordsDeadLettered ?? 0;
        view.lastStopReason = result.stopReason;
        if ('checkpointAfter' in result) view.checkpoint = result.checkpointAfter;
        if (result.stopReason === 'error') {
          view.errors++;
          view.lastError = result.error;
          view.lastErrorAt = Date.now();
        }
      } else view.lastStopReason = 'returned';
      this.logger.info({ function: f.key, result }, 'scheduled function finished');
    } catch (err) {
      view.runs++;
      view.errors++;
      view.lastStopReason = 'error';
      view.lastError = (err as Error)?.message ?? String(err);
      view.lastErrorAt = Date.now();
      this.logger.error({ function: f.key, err: view.lastError }, 'scheduled function failed');
    } finally {
      view.running = false;
      view.lastDurationMs = Date.now() - started;
    }
    return { ...view };
  }
}

/** The EventBridge event a `schedule` rule delivers. */
function scheduledEvent(f: ScheduledFunction): Record<string, unknown> {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'local',
    resources: [`arn:aws:events:local:000000000000:rule/${f.lambda.functionName}`],
    detail: {},
  };
}
