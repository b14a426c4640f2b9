import { DanubeError } from './errors.js';
import type { Cancellable } from './hot-calls.js';
import type { SendFields } from './send-body.js';

/** The partition producer a send goes through: it attempts the send, or gives it up. */
export interface SendTarget {
  attempt(pending: PendingSend): void;
  abandon(pending: PendingSend): void;
}

/** What `producer.send()` resolves to. */
export interface SendResult {
  /** The partition topic the message went to. */
  topic: string;
  /** The request id the message carried (the broker never returns the assigned offset). */
  requestId: bigint;
}

/** A `flush()` waiting for the sends that were outstanding when it was called. */
export interface FlushWaiter {
  remaining: number;
  failed: number;
  firstError?: unknown;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * One message on its way: its fields (encoded when the call starts, with the partition's shared
 * prefix) plus its retry state. A class (not a closure per send) so the hot path allocates one
 * small object besides the promise; it is also the context the transport hands back.
 */
export class PendingSend implements SendFields {
  failures = 0;
  recreations = 0;
  waiters: FlushWaiter[] | undefined;
  resolve!: (result: SendResult) => void;
  reject!: (err: unknown) => void;

  /** Set when the send leaves the queue: waiting for a free slot does not count against it. */
  deadlineAt = 0;
  /** `waiting` for a slot, `queued` behind its partition (ordered mode), or `attempted`. */
  stage: 'waiting' | 'queued' | 'attempted' = 'waiting';
  /** The promise settled (an abort settles it before the send path has finished with it). */
  settled = false;
  /** The gRPC call in flight, so an abort can cancel it. */
  call: Cancellable | undefined;
  /** The backoff timer before the next retry, so an abort can skip it. */
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;

  constructor(
    readonly partition: SendTarget,
    readonly requestId: bigint,
    readonly payload: Uint8Array,
    readonly publishTime: number,
    readonly attributes: Record<string, string>,
    readonly routingKey: string | undefined,
  ) {}

  settle(result: SendResult | undefined, error?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    if (this.onAbort) this.signal!.removeEventListener('abort', this.onAbort);
    if (result) this.resolve(result);
    else this.reject(error);
    const waiters = this.waiters;
    if (!waiters) return;
    for (const waiter of waiters) {
      if (!result) {
        waiter.failed++;
        waiter.firstError ??= error;
      }
      if (--waiter.remaining === 0) settleFlush(waiter);
    }
  }
}

export function settleFlush(waiter: FlushWaiter): void {
  if (waiter.failed === 0) waiter.resolve();
  else {
    const first = waiter.firstError instanceof Error ? waiter.firstError.message : String(waiter.firstError);
    waiter.reject(
      waiter.firstError instanceof DanubeError && waiter.failed === 1
        ? waiter.firstError
        : new DanubeError(`${waiter.failed} sends failed before flush; first: ${first}`, { cause: waiter.firstError, retryable: false }),
    );
  }
}
