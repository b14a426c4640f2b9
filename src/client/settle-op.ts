import type { AckRequest, NackRequest } from '../generated/danube/DanubeApi.js';
import type { Cancellable } from './hot-calls.js';

/**
 * One ack or nack until it succeeded or failed for good, retries included: the context its calls
 * carry, so a settle costs this object and the caller's promise, no closures.
 */
export class SettleOp {
  failures = 0;
  call: Cancellable | undefined;

  constructor(
    readonly request: AckRequest | NackRequest,
    readonly nack: boolean,
    /** ms since epoch: no retry starts after it, and the sweeper cancels a call still out. */
    readonly deadline: number,
    readonly resolve: () => void,
    readonly reject: (err: unknown) => void,
  ) {}
}
