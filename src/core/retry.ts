import { backoffDelay, BACKOFF_POLICIES } from './backoff.js';
import { classifyError } from './classify.js';
import { RetryableError } from './errors.js';
import { checkOptions, enumRule, intRule, numberRule } from './check-options.js';

/** How many times and how long to retry a transient failure. */
export interface RetryPolicyOptions {
  /** Total tries including the first (1 = no retry). */
  maxAttempts?: number;
  /** Delay cap of the first retry, in ms. */
  initialDelayMs?: number;
  /** Delay cap of any retry, in ms. */
  maxDelayMs?: number;
  /** Growth of the cap per attempt. */
  multiplier?: number;
  /** Give up when the next wait would end after this many ms since the first try (0 = no limit). */
  maxElapsedMs?: number;
  /** `full`: wait a uniform random time in [0, cap] (AWS "full jitter"); `none`: wait the cap. */
  jitter?: 'full' | 'none';
}

export type RetryPolicy = Required<RetryPolicyOptions>;

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  initialDelayMs: BACKOFF_POLICIES.operation.initialDelayMs,
  maxDelayMs: BACKOFF_POLICIES.operation.maxDelayMs,
  multiplier: BACKOFF_POLICIES.operation.multiplier,
  maxElapsedMs: 120_000,
  jitter: 'full',
});

const RETRY_POLICY_RULES = {
  maxAttempts: intRule(DEFAULT_RETRY_POLICY.maxAttempts, 1),
  initialDelayMs: numberRule(DEFAULT_RETRY_POLICY.initialDelayMs, 0),
  maxDelayMs: numberRule(DEFAULT_RETRY_POLICY.maxDelayMs, 0),
  multiplier: numberRule(DEFAULT_RETRY_POLICY.multiplier, 1),
  maxElapsedMs: numberRule(DEFAULT_RETRY_POLICY.maxElapsedMs, 0),
  jitter: enumRule<'full' | 'none'>(DEFAULT_RETRY_POLICY.jitter, ['full', 'none']),
};

/**
 * Fills defaults and rejects unknown keys, naming them.
 *
 * @example
 * const policy = parseRetryPolicy({ maxAttempts: 3, initialDelayMs: 50 });
 */
export function parseRetryPolicy(options: RetryPolicyOptions = {}): RetryPolicy {
  return checkOptions(options, RETRY_POLICY_RULES, 'retry policy');
}

/**
 * The wait before retry number `attempt` (1 = the wait after the first failure):
 * `min(maxDelayMs, initialDelayMs · multiplier^(attempt-1))`, fully jittered.
 *
 * @example
 * backoff(3, policy); // somewhere in [0, 400] ms with the defaults
 */
export function backoff(attempt: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, random: () => number = Math.random): number {
  return backoffDelay(
    attempt,
    { growth: 'exponential', initialDelayMs: policy.initialDelayMs, maxDelayMs: policy.maxDelayMs, multiplier: policy.multiplier, jitter: policy.jitter },
    random,
  );
}

export interface RetryRunOptions {
  signal?: AbortSignal;
  /** Which failures to retry; defaults to `classifyError(err).retryable`. */
  shouldRetry?: (err: unknown, attempt: number) => boolean;
  /** Called before each wait, e.g. to log. */
  onRetry?: (info: { err: unknown; attempt: number; delayMs: number }) => void;
  /** Injected clock and randomness for tests. */
  now?: () => number;
  random?: () => number;
}

/**
 * Runs `fn` until it succeeds, a failure is not retryable, attempts or elapsed time run out, or
 * `signal` aborts; then throws the last error (or the abort reason). A `RetryableError` with
 * `retryAfterMs` is never retried sooner than that.
 *
 * @example
 * const rows = await retry((attempt) => fetchPage(cursor), parseRetryPolicy({ maxAttempts: 4 }), { signal });
 */
export async function retry<T>(
  fn: (attempt: number, signal?: AbortSignal) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  options: RetryRunOptions = {},
): Promise<T> {
  const now = options.now ?? Date.now;
  const shouldRetry = options.shouldRetry ?? ((err: unknown) => classifyError(err).retryable);
  const started = now();
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt, options.signal);
    } catch (err) {
      if (options.signal?.aborted || attempt >= policy.maxAttempts || !shouldRetry(err, attempt)) throw err;
      let delayMs = backoff(attempt, policy, options.random);
      if (err instanceof RetryableError && err.retryAfterMs !== undefined) delayMs = Math.max(delayMs, err.retryAfterMs);
      if (policy.maxElapsedMs > 0 && now() - started + delayMs > policy.maxElapsedMs) throw err;
      options.onRetry?.({ err, attempt, delayMs });
      await sleep(delayMs, options.signal);
    }
  }
}

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts. The timer is not
 * `unref()`ed on purpose: someone awaits it, and an unref'ed wait would let a script exit mid-retry.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
