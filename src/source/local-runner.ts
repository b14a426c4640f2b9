import { randomUUID } from 'node:crypto';
import type { CheckpointStore } from '../checkpoint/store.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Source } from './define-source.js';
import { SourceRunError } from './errors.js';
import type { SourceClient } from './publisher.js';
import { runSource } from './runner.js';
import type { SourceRunSummary } from './summary.js';

export interface LocalSourceRunnerOptions {
  client: SourceClient;
  store: CheckpointStore;
  service?: string;
  /** Input partition, for a source deployed once per partition: the key becomes `<service>/<source>#<partition>`. */
  partition?: string | number;
  /** The budget of one run, like a Lambda timeout (default {@link DEFAULT_LOCAL_TIMEOUT_MS}). */
  timeoutMs?: number;
  logger?: Logger;
}

/** One local run: its summary, and the error when it failed. */
export interface LocalSourceRun {
  summary: SourceRunSummary;
  error?: Error;
  /** What started it: `schedule`, `manual`, ... */
  trigger: string;
}

export const DEFAULT_LOCAL_TIMEOUT_MS = 60_000;

/**
 * Runs a source on this machine the way a scheduled function runs it (`npm start`): one run per
 * `invoke()`, with a Lambda-like time budget, never throwing, remembering the last outcome for a
 * status view. A trigger while a run is still going is skipped (the lease would refuse it anyway).
 *
 * @example
 * const runner = new LocalSourceRunner(orders, { client, store, service: 'shop' });
 * const { summary, error } = await runner.invoke('manual');
 */
export class LocalSourceRunner<C = unknown> {
  private current: Promise<LocalSourceRun> | undefined;
  private readonly abort = new AbortController();
  private lastRun: LocalSourceRun | undefined;
  private count = 0;

  constructor(
    readonly source: Source<C>,
    private readonly options: LocalSourceRunnerOptions,
  ) {}

  /** The last finished run. */
  get last(): LocalSourceRun | undefined {
    return this.lastRun;
  }

  /** Runs started so far. */
  get runs(): number {
    return this.count;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Runs the source once now; while a run is going, returns that run instead. */
  invoke(trigger = 'manual'): Promise<LocalSourceRun> {
    if (this.current) return this.current;
    this.count++;
    const logger = (this.options.logger ?? silentLogger).child({ trigger });
    this.current = runSource(this.source, {
      client: this.options.client,
      store: this.options.store,
      budgetMs: this.options.timeoutMs ?? DEFAULT_LOCAL_TIMEOUT_MS,
      owner: `local:${process.pid}:${randomUUID().slice(0, 8)}`,
      logger,
      signal: this.abort.signal,
      ...(this.options.service !== undefined ? { service: this.options.service } : {}),
      ...(this.options.partition !== undefined ? { partition: this.options.partition } : {}),
    })
      .then((summary): LocalSourceRun => ({ summary, trigger }))
      .catch((err: unknown): LocalSourceRun => {
        if (err instanceof SourceRunError) return { summary: err.summary, error: err, trigger };
        throw err;
      })
      .then((run) => {
        this.lastRun = run;
        return run;
      })
      .finally(() => {
        this.current = undefined;
      });
    return this.current;
  }

  /** Ends the run in progress early (its batch in flight is finished or left uncommitted) and waits for it. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.current?.catch(() => undefined);
  }
}
