import type { StreamMessage } from '../../generated/danube/DanubeApi.js';
import type { DispatchConsumer, DispatchSubscription } from './parts.js';

const hasRoom = (c: DispatchConsumer): boolean => c.hasRoom;

/**
 * At-most-once fan-out at publish time: the message goes to one consumer's
 * 4-slot buffer, or is dropped when that buffer (or every buffer, for Shared) is
 * full or nobody is connected. Nothing is stored.
 */
export class NonReliableDispatcher {
  dropped = 0;

  constructor(private readonly sub: DispatchSubscription<DispatchConsumer>) {}

  dispatch(msg: StreamMessage): void {
    const consumer = this.sub.pick(msg, hasRoom);
    if (consumer) consumer.write(msg);
    else this.dropped++;
  }

  // Acks and nacks on a non-reliable subscription are accepted and do nothing.
  ack(_offset: number): void {}
  nack(_offset: number, _delayMs: number | undefined, _reason: string | undefined): void {}
  onConsumerAttached(_c: DispatchConsumer): void {}
  onConsumerDetached(_c: DispatchConsumer): void {}
  onPolicyChanged(): void {}
  close(): void {}
}
