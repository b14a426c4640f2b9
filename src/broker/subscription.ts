import { ConsumerRequest_SubscriptionType as SubType, type StreamMessage } from '../generated/danube/DanubeApi.js';
import type { Consumer } from './consumer.js';
import { InactiveConsumerEviction } from './dispatch/eviction.js';
import { HashRing } from './hash-ring.js';
import { routingKeyOf, type SubscriptionKind, type SubscriptionTopic } from './dispatch/parts.js';
import type { SubscriptionPolicy } from './options.js';
import { NonReliableDispatcher } from './dispatch/non-reliable.js';
import { ReliableDispatcher } from './dispatch/reliable.js';

export type { SubscriptionKind };

export function kindOf(type: SubType): SubscriptionKind {
  switch (type) {
    case SubType.Shared:
      return 'shared';
    case SubType.Failover:
      return 'failover';
    case SubType.KeyShared:
      return 'key-shared';
    default:
      return 'exclusive';
  }
}

/**
 * A named subscription of a topic: its consumers (in registration order) and its
 * dispatcher. The type is fixed by whoever creates it first.
 */
export class Subscription {
  readonly consumers: Consumer[] = [];
  readonly dispatcher: NonReliableDispatcher | ReliableDispatcher;
  private readonly ring = new HashRing<Consumer>();
  private rr = 0;
  private readonly eviction: InactiveConsumerEviction<Consumer> | null;

  constructor(
    readonly name: string,
    readonly kind: SubscriptionKind,
    readonly topic: SubscriptionTopic,
    public policy: SubscriptionPolicy,
    startOffset?: number,
  ) {
    this.dispatcher = topic.log ? new ReliableDispatcher(this, topic.log, startOffset ?? topic.log.next) : new NonReliableDispatcher(this);
    this.eviction =
      kind === 'key-shared' && topic.log
        ? new InactiveConsumerEviction(
            () => this.consumers,
            (c) => {
              topic.logger.warn({ topic: topic.name, subscription: name, consumer: c.name }, 'evicting inactive consumer from the Key-Shared ring');
              this.removeConsumer(c);
              topic.consumerEvicted(c);
            },
          )
        : null;
  }

  findConsumer(name: string): Consumer | undefined {
    return this.consumers.find((c) => c.name === name);
  }

  addConsumer(consumer: Consumer): void {
    this.consumers.push(consumer);
    if (this.kind === 'key-shared') this.ring.rebuild(this.consumers);
  }

  removeConsumer(consumer: Consumer): void {
    const at = this.consumers.indexOf(consumer);
    if (at < 0) return;
    this.consumers.splice(at, 1);
    if (this.kind === 'key-shared') this.ring.rebuild(this.consumers);
    this.dispatcher.onConsumerDetached(consumer);
  }

  /**
   * The consumer a message goes to, or null when its consumer cannot take it now,
   * or undefined when no consumer will ever want it (Key-Shared filters).
   * `usable` says whether a consumer can take a message right now.
   */
  pick(msg: StreamMessage, usable: (c: Consumer) => boolean): Consumer | null | undefined {
    const consumers = this.consumers;
    if (consumers.length === 0) return null;
    switch (this.kind) {
      case 'exclusive':
      case 'failover': {
        // The first registered consumer stays the active one (the real broker never
        // promotes a standby: see docs/broker.md).
        const first = consumers[0]!;
        return usable(first) ? first : null;
      }
      case 'shared': {
        const n = consumers.length;
        for (let i = 0; i < n; i++) {
          const c = consumers[(this.rr + i) % n]!;
          if (usable(c)) {
            this.rr = (this.rr + i + 1) % n;
            return c;
          }
        }
        return null;
      }
      case 'key-shared': {
        const c = this.ring.select(routingKeyOf(msg));
        if (c === undefined) return undefined;
        return usable(c) ? c : null;
      }
    }
  }

  onConsumerAttached(consumer: Consumer): void {
    this.dispatcher.onConsumerAttached(consumer);
  }

  onConsumerDetached(consumer: Consumer): void {
    this.dispatcher.onConsumerDetached(consumer);
    this.eviction?.watch();
  }

  setPolicy(policy: SubscriptionPolicy): void {
    this.policy = policy;
    this.dispatcher.onPolicyChanged();
  }

  close(): void {
    this.eviction?.close();
    this.dispatcher.close();
  }
}
