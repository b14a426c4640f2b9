import * as z from 'zod';
import { FatalError } from './errors.js';
import { parseWithSchema } from './options.js';

/** When a batch is cut: whichever limit is reached first. */
export interface BatcherOptions {
  /** Most items in one batch. */
  maxRecords?: number;
  /** Most bytes in one batch (by `sizeOf`); an item bigger than this travels alone. */
  maxBytes?: number;
  /** Longest an item waits for its batch to fill, from the first item of the batch. */
  maxWaitMs?: number;
  /** Cut batches held back before `add()` starts waiting for `next()` (back-pressure). */
  maxPendingBatches?: number;
}

export type ParsedBatcherOptions = Required<BatcherOptions>;

export const DEFAULT_BATCHER_OPTIONS: ParsedBatcherOptions = Object.freeze({
  maxRecords: 100,
  maxBytes: 5 * 1024 * 1024,
  maxWaitMs: 500,
  maxPendingBatches: 1,
});

const BatcherOptionsSchema = z.strictObject({
  maxRecords: z.number().int().min(1).default(DEFAULT_BATCHER_OPTIONS.maxRecords),
  maxBytes: z.number().int().min(1).default(DEFAULT_BATCHER_OPTIONS.maxBytes),
  maxWaitMs: z.number().min(0).default(DEFAULT_BATCHER_OPTIONS.maxWaitMs),
  maxPendingBatches: z.number().int().min(1).default(DEFAULT_BATCHER_OPTIONS.maxPendingBatches),
});

/** Fills defaults and rejects unknown keys, naming them. */
export function parseBatcherOptions(options: BatcherOptions = {}): ParsedBatcherOptions {
  return parseWithSchema(BatcherOptionsSchema, options, 'batcher options');
}

type Waiter<T> = (batch: T[] | undefined) => void;

/**
 * Cuts a stream of items into batches by count, bytes and time. A producer `await`s `add()`,
 * which waits while `maxPendingBatches` cut batches are not yet taken (so a slow consumer slows the
 * producer instead of growing memory); a consumer `await`s `next()` or iterates with `for await`.
 *
 * @example
 * const batcher = new Batcher<Msg>({ maxRecords: 100, maxWaitMs: 500 }, (m) => m.payload.length);
 * void (async () => { for await (const m of consumer) await batcher.add(m); batcher.close(); })();
 * for await (const batch of batcher) await invoke(batch);
 */
export class Batcher<T> implements AsyncIterable<T[]> {
  readonly options: ParsedBatcherOptions;
  private current: T[] = [];
  private currentBytes = 0;
  private readonly ready: T[][] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly takers: Waiter<T>[] = [];
  private readonly spaceWaiters: Array<() => void> = [];
  private closed = false;

  constructor(options: BatcherOptions = {}, private readonly sizeOf: (item: T) => number = () => 0) {
    this.options = parseBatcherOptions(options);
  }

  /** Items waiting in the open batch plus the cut ones not yet taken. */
  get size(): number {
    return this.current.length + this.ready.reduce((n, b) => n + b.length, 0);
  }

  /** Adds one item; resolves once it is accepted (may wait for the consumer). */
  async add(item: T): Promise<void> {
    while (!this.closed && this.ready.length >= this.options.maxPendingBatches) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    if (this.closed) throw new FatalError('Batcher is closed');
    const bytes = this.sizeOf(item);
    if (this.current.length > 0 && this.currentBytes + bytes > this.options.maxBytes) this.cut();
    this.current.push(item);
    this.currentBytes += bytes;
    if (this.current.length >= this.options.maxRecords || this.currentBytes >= this.options.maxBytes) {
      this.cut();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.cut(), this.options.maxWaitMs);
    }
  }

  /** Cuts the open batch now (if it has items). */
  flush(): void {
    this.cut();
  }

  /** The next batch; `undefined` once closed and drained. Aborting `signal` rejects. */
  next(signal?: AbortSignal): Promise<T[] | undefined> {
    const batch = this.take();
    if (batch || this.closed) return Promise.resolve(batch);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = (b) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(b);
      };
      const onAbort = () => {
        const i = this.takers.indexOf(waiter);
        if (i >= 0) this.takers.splice(i, 1);
        reject(signal!.reason);
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.takers.push(waiter);
    });
  }

  /** Cuts what is open and stops taking items; `next()` drains, then returns `undefined`. */
  close(): void {
    if (this.closed) return;
    this.cut();
    this.closed = true;
    for (const wake of this.spaceWaiters.splice(0)) wake();
    for (const taker of this.takers.splice(0)) taker(this.take());
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T[]> {
    for (;;) {
      const batch = await this.next();
      if (!batch) return;
      yield batch;
    }
  }

  private cut(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.current.length === 0) return;
    const batch = this.current;
    this.current = [];
    this.currentBytes = 0;
    const taker = this.takers.shift();
    if (taker) taker(batch);
    else this.ready.push(batch);
  }

  private take(): T[] | undefined {
    const batch = this.ready.shift();
    // Wake every waiting producer: each re-checks for space in arrival order.
    if (batch) for (const wake of this.spaceWaiters.splice(0)) wake();
    return batch;
  }
}
