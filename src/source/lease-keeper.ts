import { FencedError } from '../checkpoint/errors.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import type { Lease } from '../checkpoint/types.js';
import { stringifyJson } from '../core/bytes.js';
import { classifyError } from '../core/classify.js';
import type { Logger } from '../core/logger.js';
import { retry } from '../core/retry.js';

/**
 * Holds a run's lease: renews it in the background every third of its length (so a slow poll or
 * publish does not lose it, while a crashed run frees it soon), and commits through it. Renewals
 * and commits never overlap; a renewal that finds the lease gone marks it lost, so the run stops
 * before publishing more.
 */
export class LeaseKeeper<C> {
  private current: Lease<C>;
  private lostError: FencedError | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy: Promise<unknown> = Promise.resolve();
  private renewalQueued = false;

  constructor(
    private readonly store: CheckpointStore,
    lease: Lease<C>,
    private readonly leaseMs: number,
    private readonly logger: Logger,
  ) {
    this.current = lease;
  }

  get lease(): Lease<C> {
    return this.current;
  }

  /** Starts the background renewals. */
  start(): void {
    this.timer ??= setInterval(() => void this.renew(), Math.max(50, Math.floor(this.leaseMs / 3)));
    this.timer.unref?.();
  }

  /** Stops renewing and waits for a renewal in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.busy.catch(() => undefined);
  }

  /** @throws FencedError when a renewal found that another run took the lease. */
  throwIfLost(): void {
    if (this.lostError) throw this.lostError;
  }

  /**
   * Commits `checkpoint` under the lease, retrying store hiccups. A retried commit whose first
   * attempt landed (its reply lost) shows up as "version changed" with our own value: that is
   * success, not a conflict.
   */
  commit(checkpoint: C): Promise<Lease<C>> {
    return this.exclusive(async () => {
      this.throwIfLost();
      const lease = this.current;
      this.current = await retry(
        async (attempt) => {
          try {
            return await this.store.commit(lease, checkpoint, this.leaseMs);
          } catch (err) {
            const found = err instanceof FencedError ? err.found : undefined;
            const landed =
              attempt > 1 &&
              found?.leaseOwner === lease.owner &&
              found.version === lease.version + 1n &&
              stringifyJson(found.checkpoint) === stringifyJson(checkpoint);
            if (!landed) throw err;
            return { ...lease, version: found.version, checkpoint: found.checkpoint as C, until: found.leaseUntil ?? lease.until };
          }
        },
        undefined,
        { shouldRetry: (err) => !(err instanceof FencedError) && classifyError(err).retryable },
      );
      return this.current;
    });
  }

  private renew(): Promise<unknown> {
    if (this.lostError || this.renewalQueued) return this.busy;
    this.renewalQueued = true;
    return this.exclusive(async () => {
      this.renewalQueued = false;
      try {
        this.current = await this.store.renewLease(this.current, this.leaseMs);
      } catch (err) {
        if (err instanceof FencedError) {
          this.lostError = err;
          this.logger.warn({ found: err.found }, `lease lost: ${err.message}`);
        } else {
          // The next renewal (a third of the lease later) tries again.
          this.logger.warn({ err }, 'could not renew the lease');
        }
      }
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.catch(() => undefined).then(fn);
    this.busy = run;
    return run;
  }
}
