import { describe, expect, it } from 'vitest';
import { BACKOFF_POLICIES, backoffDelay } from '../../../src/core/backoff.js';

const at = (r: number) => () => r;

describe('backoffDelay', () => {
  it("grows exponentially or linearly up to the bound, with the policy's jitter", () => {
    const op = BACKOFF_POLICIES.operation;
    expect([1, 2, 3, 20].map((n) => backoffDelay(n, { ...op, jitter: 'none' }))).toEqual([100, 200, 400, 30_000]);
    expect(backoffDelay(3, op, at(0))).toBe(0);
    expect(backoffDelay(3, op, at(0.999))).toBe(399);
    const client = BACKOFF_POLICIES.client;
    expect([1, 2, 3, 100].map((n) => backoffDelay(n, { ...client, jitter: 'none' }))).toEqual([200, 400, 600, 5_000]);
    // Half jitter: never sooner than half the planned delay.
    expect(backoffDelay(3, client, at(0))).toBe(300);
    expect(backoffDelay(3, client, at(1))).toBe(600);
  });

  it('keeps the relay resubscribing at most a second apart, and dead-letter retries within 10 s', () => {
    for (let n = 1; n < 50; n++) {
      expect(backoffDelay(n, BACKOFF_POLICIES.resubscribe)).toBeLessThanOrEqual(1_000);
      expect(backoffDelay(n, BACKOFF_POLICIES['dead-letter'])).toBeLessThanOrEqual(10_000);
    }
    expect(backoffDelay(1, BACKOFF_POLICIES.resubscribe, at(0))).toBe(125);
  });

  it('treats attempt 0 as the first and does not overflow on large attempts', () => {
    expect(backoffDelay(0, { ...BACKOFF_POLICIES.operation, jitter: 'none' })).toBe(100);
    expect(backoffDelay(10_000, { ...BACKOFF_POLICIES.operation, jitter: 'none' })).toBe(30_000);
  });
});
