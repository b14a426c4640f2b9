import type { Logger } from '../core/logger.js';
import { ClientClosedError, type DanubeError } from './errors.js';
import type { DanubeMessage } from './message.js';

interface Waiter {
  resolve: (message: DanubeMessage | undefined) => void;
  reject: (err: unknown) => void;
  timer?: NodeJS.Timeout;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * The consumer's bounded buffer between the receive streams and the application.
 * Reliable topics: when full, `push` asks the caller to pause its stream (the broker simply
 * waits) and `onDrain` fires once half of it was taken. Non-reliable topics: streams keep
 * flowing, because the broker drops messages after 4 unread ones; the oldest buffered message is
 * dropped instead, and counted.
 */
export class MessageQueue {
  private items: (DanubeMessage | undefined)[] = [];
  private head = 0;
  private readonly waiters: Waiter[] = [];
  private paused = false;
  private error: DanubeError | undefined;
  private closed = false;
  dropped = 0;

  constructor(
    private readonly capacity: number,
    private readonly pauseWhenFull: boolean,
    private readonly onDrain: () => void,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** Adds a message; returns true when the producer side should pause. */
  push(message: DanubeMessage): boolean {
    if (this.closed) return false;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.settle(waiter);
      waiter.resolve(message);
      return false;
    }
    if (!this.pauseWhenFull && this.size >= this.capacity) {
      this.items[this.head++] = undefined;
      if (this.dropped++ % 1000 === 0) this.logger.warn({ dropped: this.dropped }, 'consumer buffer full: dropping the oldest non-reliable message');
    }
    this.items.push(message);
    if (this.pauseWhenFull && this.size >= this.capacity) {
      this.paused = true;
      return true;
    }
    return false;
  }

  /** The next buffered message, if there is one, without waiting. */
  poll(): DanubeMessage | undefined {
    if (this.head >= this.items.length) return undefined;
    const message = this.items[this.head]!;
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.paused && this.size <= this.capacity / 2) {
      this.paused = false;
      this.onDrain();
    }
    return message;
  }

  /** The next message; `undefined` after `timeoutMs` without one. */
  take(timeoutMs?: number, signal?: AbortSignal): Promise<DanubeMessage | undefined> {
    if (this.head < this.items.length) return Promise.resolve(this.poll());
    if (this.error) return Promise.reject(this.error);
    if (this.closed) return Promise.reject(new ClientClosedError('consumer is closed', { retryable: false }));
    if (timeoutMs === 0 || signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => this.expire(waiter), timeoutMs);
      }
      if (signal) {
        waiter.signal = signal;
        waiter.onAbort = () => this.expire(waiter);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
    });
  }

  private expire(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return;
    this.waiters.splice(index, 1);
    this.settle(waiter);
    waiter.resolve(undefined);
  }

  private settle(waiter: Waiter): void {
    if (waiter.timer) clearTimeout(waiter.timer);
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
  }

  /** Makes every current and future `take` (once drained) reject with `error`. */
  fail(error: DanubeError): void {
    this.error ??= error;
    for (const waiter of this.waiters.splice(0)) {
      this.settle(waiter);
      waiter.reject(error);
    }
  }

  /** Drops buffered messages; waiting and future takes reject with `ClientClosedError`. */
  close(): void {
    this.closed = true;
    this.items = [];
    this.head = 0;
    const closedError = new ClientClosedError('consumer is closed', { retryable: false });
    for (const waiter of this.waiters.splice(0)) {
      this.settle(waiter);
      waiter.reject(closedError);
    }
  }
}
