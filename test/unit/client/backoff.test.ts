import { describe, expect, it } from 'vitest';
import { backoffDelay, Deadline, DEFAULT_RETRY, sleep } from '../../../src/client/backoff.js';
import { ClientClosedError, TimeoutError } from '../../../src/client/index.js';

describe('backoffDelay', () => {
  it('grows linearly from 200 ms and stays within [L/2, L]', () => {
    expect(backoffDelay(0, DEFAULT_RETRY, () => 0)).toBe(100);
    expect(backoffDelay(0, DEFAULT_RETRY, () => 1)).toBe(200);
    expect(backoffDelay(1, DEFAULT_RETRY, () => 1)).toBe(400);
    expect(backoffDelay(4, DEFAULT_RETRY, () => 0.5)).toBe(750);
  });

  it('caps at maxBackoffMs', () => {
    expect(backoffDelay(100, DEFAULT_RETRY, () => 1)).toBe(5000);
    expect(backoffDelay(100, { maxRetries: 5, baseBackoffMs: 10, maxBackoffMs: 50 }, () => 0)).toBe(25);
  });
});

describe('Deadline', () => {
  it('reports time left and makes a TimeoutError naming the operation, topic and last error', () => {
    const deadline = new Deadline(1000, 'send', '/default/t');
    expect(deadline.remaining()).toBeGreaterThan(900);
    const err = deadline.error(new Error('connection refused'));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toBe('send on /default/t did not finish within 1000 ms; last error: connection refused');
    expect(err.topic).toBe('/default/t');
  });

  it('never sleeps past the deadline', async () => {
    const deadline = new Deadline(30, 'x');
    const started = Date.now();
    expect(await deadline.sleep(5000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('sleep', () => {
  it('rejects with ClientClosedError when aborted', async () => {
    const controller = new AbortController();
    const pending = sleep(10_000, controller.signal);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
  });
});
