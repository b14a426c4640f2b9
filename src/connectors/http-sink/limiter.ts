/**
 * A counting semaphore for requests in flight. One per sink instance, shared by every invocation
 * of it: when the relay runs several batches of a binding at once (`maxConcurrency` > 1), the
 * endpoint still sees at most `concurrency` requests from this process, and a new batch's requests
 * start as soon as the previous batch's stragglers free a slot instead of after all of them.
 *
 * @example
 * const limit = new RequestLimiter(16);
 * const result = await limit.run(() => fetch(url, init));
 */
export class RequestLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {}

  /** Runs `task` once a slot is free; waiters are served first come, first served. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so `active` never dips below the limit while
      // requests wait.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Requests running now. */
  get inFlight(): number {
    return this.active;
  }
}
