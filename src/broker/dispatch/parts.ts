// What the parts of a subscription need of each other, as interfaces: a dispatcher sees its
// subscription, the topic and the consumers only through these, and a consumer sees only the
// subscription's attach/detach, so no file of them imports another's class.
import type { StreamMessage } from '../../generated/danube/DanubeApi.js';
import type { Logger } from '../../core/logger.js';
import type { MessageLog } from '../message-log.js';
import type { SubscriptionPolicy } from '../options.js';

export type SubscriptionKind = 'exclusive' | 'shared' | 'failover' | 'key-shared';

/** Where a poisoned message goes under the DeadLetter policy. */
export interface DeadLetterInfo {
  subscription: string;
  deadLetterTopic: string;
  attempt: number;
  reason: string;
}

/** What a dispatcher needs of a consumer. */
export interface DispatchConsumer {
  /** Null while no ReceiveMessages stream is attached. */
  readonly stream: unknown;
  /** Its stream can take a message now (non-reliable dispatch drops otherwise). */
  readonly hasRoom: boolean;
  write(msg: StreamMessage): boolean;
}

/** What a dispatcher needs of the topic. */
export interface DispatchTopic {
  readonly name: string;
  readonly logger: Logger;
  deadLetter(msg: StreamMessage, info: DeadLetterInfo): void;
  onCursorMoved(): void;
}

/** What a subscription needs of its topic: the above, its message log, and evictions. */
export interface SubscriptionTopic extends DispatchTopic {
  /** The topic's message log (reliable topics), else null. */
  readonly log: MessageLog | null;
  consumerEvicted(consumer: { readonly id: bigint }): void;
}

/** What a dispatcher needs of its subscription. */
export interface DispatchSubscription<C extends DispatchConsumer> {
  readonly name: string;
  readonly kind: SubscriptionKind;
  readonly topic: DispatchTopic;
  readonly policy: SubscriptionPolicy;
  readonly consumers: readonly C[];
  /** The consumer a message goes to by the subscription's type, among those `usable` accepts. */
  pick(msg: StreamMessage, usable: (c: C) => boolean): C | null | undefined;
}

/** What a consumer needs of its subscription: to say when its stream comes and goes. */
export interface ConsumerHost<C> {
  readonly name: string;
  readonly topic: { readonly name: string };
  onConsumerAttached(consumer: C): void;
  onConsumerDetached(consumer: C): void;
}

/** The key a Key-Shared subscription routes by: the routing key, else the producer's name. */
export function routingKeyOf(msg: StreamMessage): string {
  return msg.routingKey ?? msg.producerName;
}
