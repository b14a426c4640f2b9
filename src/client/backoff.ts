import { backoffDelay as coreBackoff, BACKOFF_POLICIES } from '../core/backoff.js';
import { ClientClosedError, TimeoutError } from './errors.js';

/** Retry settings shared by producers, consumers and lookups (defaults of the Rust client). */
export interface RetryOptions {
  /** Attempts of one operation before it is re-created from a fresh lookup (default 5). */
  maxRetries: number;
  /** Backoff grows linearly from this (default 200 ms). */
  baseBackoffMs: number;
  /** ... up to this (default 5000 ms). */
  maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxRetries: 5,
  baseBackoffMs: BACKOFF_POLICIES.client.initialDelayMs,
  maxBackoffMs: BACKOFF_POLICIES.client.maxDelayMs,
};

/**
 * Delay before retry number `attempt` (0-based): the `client` policy of core's backoff (linear,
 * as the Rust and Go clients do, half jitter so that producers that failed together do not retry
 * together) with this client's bounds.
 */
export function backoffDelay(attempt: number, options: RetryOptions = DEFAULT_RETRY, random: () => number = Math.random): number {
  return coreBackoff(attempt + 1, { ...BACKOFF_POLICIES.client, initialDelayMs: options.baseBackoffMs, maxDelayMs: options.maxBackoffMs }, random);
}

/**
 * Waits `ms`, or less when `signal` aborts (then rejects with `ClientClosedError`).
 * `unref` lets timers of background loops (health checks) not keep the process alive.
 */
export function sleep(ms: number, signal?: AbortSignal, unref = false, stop?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ClientClosedError('operation aborted: closed', { retryable: false }));
      return;
    }
    if (stop?.aborted) return resolve();
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      stop?.removeEventListener('abort', onStop);
    };
    const onAbort = () => {
      cleanup();
      reject(new ClientClosedError('operation aborted: closed', { retryable: false }));
    };
    // `stop` (a caller's signal) ends the wait early without an error: the caller checks it.
    const onStop = () => {
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      resolve();
    }, ms);
    if (unref) timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
    stop?.addEventListener('abort', onStop, { once: true });
  });
}

/** A point in time an operation (with all its retries) must finish by. */
export class Deadline {
  readonly at: number;

  constructor(
    readonly timeoutMs: number,
    private readonly what: string,
    private readonly topic?: string,
    /** The caller's signal: once it aborts, `sleep()` returns false at once. */
    readonly signal?: AbortSignal,
  ) {
    this.at = Date.now() + timeoutMs;
  }

  remaining(): number {
    return this.at - Date.now();
  }

  expired(): boolean {
    return Date.now() >= this.at || this.signal?.aborted === true;
  }

  /** The error to throw when the deadline passed; `cause` is the last failure seen, if any. */
  error(cause?: unknown): TimeoutError {
    const reason = cause instanceof Error ? `; last error: ${cause.message}` : '';
    return new TimeoutError(`${this.what}${this.topic ? ` on ${this.topic}` : ''} did not finish within ${this.timeoutMs} ms${reason}`, {
      topic: this.topic,
      retryable: true,
      cause,
    });
  }

  /** Sleeps `ms`, but never past the deadline; returns false when no time is left. */
  async sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    const left = this.remaining();
    if (left <= 0) return false;
    await sleep(Math.min(ms, left), signal, false, this.signal);
    return !this.expired();
  }
}
