import { describe, expect, it } from 'vitest';
import { backoff, ConfigError, FatalError, parseRetryPolicy, retry, RetryableError } from '../../../src/core/index.js';

describe('retry policy', () => {
  it('fills defaults and names unknown or wrong keys', () => {
    expect(parseRetryPolicy({ maxAttempts: 3 }).maxDelayMs).toBe(30_000);
    expect(() => parseRetryPolicy({ maxAttemps: 3 } as never)).toThrow(/maxAttemps: unknown key/);
    expect(() => parseRetryPolicy({ maxAttempts: 0 })).toThrow(ConfigError);
  });

  it('backs off exponentially with full jitter under a cap', () => {
    const p = parseRetryPolicy({ initialDelayMs: 100, maxDelayMs: 1000, jitter: 'none' });
    expect([1, 2, 3, 4, 5, 6].map((a) => backoff(a, p))).toEqual([100, 200, 400, 800, 1000, 1000]);
    const jittered = parseRetryPolicy({ initialDelayMs: 100, maxDelayMs: 1000 });
    const samples = Array.from({ length: 200 }, () => backoff(3, jittered));
    expect(Math.max(...samples)).toBeLessThanOrEqual(400);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(new Set(samples).size).toBeGreaterThan(20);
  });

  it('retries transient failures, then succeeds', async () => {
    let calls = 0;
    const delays: number[] = [];
    const value = await retry(
      async () => {
        if (++calls < 3) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
        return 'done';
      },
      parseRetryPolicy({ initialDelayMs: 5, jitter: 'none' }),
      { onRetry: ({ delayMs }) => delays.push(delayMs) },
    );
    expect([value, calls, delays]).toEqual(['done', 3, [5, 10]]);
  });

  it('does not retry fatal errors and stops at max attempts', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new FatalError('bad key');
        },
        parseRetryPolicy({ initialDelayMs: 1 }),
      ),
    ).rejects.toThrow('bad key');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new RetryableError('busy');
        },
        parseRetryPolicy({ maxAttempts: 4, initialDelayMs: 1 }),
      ),
    ).rejects.toThrow('busy');
    expect(calls).toBe(4);
  });

  it('gives up when max elapsed would be passed, honours retryAfterMs', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      retry(
        async () => {
          calls++;
          throw new RetryableError('later', { retryAfterMs: 60 });
        },
        parseRetryPolicy({ maxAttempts: 100, initialDelayMs: 1, maxElapsedMs: 150 }),
      ),
    ).rejects.toThrow('later');
    expect(calls).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('an abort signal ends the wait at once', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 30);
    const started = Date.now();
    await expect(
      retry(
        async () => {
          throw new RetryableError('busy');
        },
        parseRetryPolicy({ initialDelayMs: 10_000, jitter: 'none' }),
        { signal: controller.signal },
      ),
    ).rejects.toThrow('shutting down');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
