import {
  SubscriptionBackoffStrategy as Backoff,
  SubscriptionPoisonPolicy as Poison,
  type GetSubscriptionFailurePolicyResponse,
  type SubscriptionFailurePolicy,
  type TopicAdminClient,
} from '../generated/danube/DanubeAdmin.js';
import type { AdminConnection, StubMethod } from './connection.js';
import { DEFAULT_FAILURE_POLICY, type FailurePolicy, type PoisonPolicy } from './types.js';

const POISON: Record<PoisonPolicy, Poison> = { block: Poison.Block, drop: Poison.Drop, 'dead-letter': Poison.DeadLetter };
const SUBSCRIPTION_TYPES = ['exclusive', 'shared', 'failover', 'key-shared'] as const;

function toWire(p: FailurePolicy): SubscriptionFailurePolicy {
  return {
    maxRedeliveryCount: p.maxRedeliveryCount,
    ackTimeoutMs: BigInt(p.ackTimeoutMs),
    baseRedeliveryDelayMs: BigInt(p.baseRedeliveryDelayMs),
    maxRedeliveryDelayMs: BigInt(p.maxRedeliveryDelayMs),
    backoffStrategy: p.backoff === 'fixed' ? Backoff.Fixed : Backoff.Exponential,
    deadLetterTopic: p.deadLetterTopic,
    // Always set: the wire's zero value is DeadLetter, not the broker's default (Block).
    poisonPolicy: POISON[p.poisonPolicy],
  };
}

function fromWire(p: SubscriptionFailurePolicy): FailurePolicy {
  const poison = (Object.keys(POISON) as PoisonPolicy[]).find((k) => POISON[k] === p.poisonPolicy) ?? 'block';
  return {
    maxRedeliveryCount: p.maxRedeliveryCount,
    ackTimeoutMs: Number(p.ackTimeoutMs),
    baseRedeliveryDelayMs: Number(p.baseRedeliveryDelayMs),
    maxRedeliveryDelayMs: Number(p.maxRedeliveryDelayMs),
    backoff: p.backoffStrategy === Backoff.Fixed ? 'fixed' : 'exponential',
    poisonPolicy: poison,
    ...(p.deadLetterTopic ? { deadLetterTopic: p.deadLetterTopic } : {}),
  };
}

/**
 * Subscriptions of a topic: list, delete, and the settings of reliable ones (failure policy,
 * unacked window). Settings can be given before the subscription exists; a partitioned topic's
 * settings are per partition (`<topic>-part-N`).
 *
 * @example
 * await admin.subscriptions.setFailurePolicy('/default/orders', 'orders-pg', { ackTimeoutMs: 60_000 });
 * await admin.subscriptions.setMaxUnacked('/default/orders', 'orders-pg', 200);
 */
export class SubscriptionsAdmin {
  constructor(private readonly conn: AdminConnection) {}

  private rpc<Req, Res>(name: string, method: (c: TopicAdminClient) => unknown, request: Req): Promise<Res> {
    const client = this.conn.topics;
    return this.conn.call(name, client, method(client) as StubMethod<Req, Res>, request);
  }

  async list(topic: string): Promise<string[]> {
    return (await this.rpc<object, { subscriptions: string[] }>('ListSubscriptions', (c) => c.listSubscriptions, { name: topic })).subscriptions;
  }

  /** Deletes a subscription; the broker refuses while a consumer is attached. */
  async unsubscribe(topic: string, subscription: string): Promise<void> {
    await this.rpc('Unsubscribe', (c) => c.unsubscribe, { topic, subscription });
  }

  /**
   * The subscription's failure policy and type, or `undefined` when the broker has none stored
   * (never set, and the subscription was never created).
   */
  async getFailurePolicy(topic: string, subscription: string): Promise<{ policy: FailurePolicy; type: string } | undefined> {
    const res = await this.rpc<object, GetSubscriptionFailurePolicyResponse>('GetSubscriptionFailurePolicy', (c) => c.getSubscriptionFailurePolicy, {
      topic,
      subscription,
    });
    if (!res.failurePolicy) return undefined;
    return { policy: fromWire(res.failurePolicy), type: SUBSCRIPTION_TYPES[res.subscriptionType] ?? String(res.subscriptionType) };
  }

  /**
   * Sets the failure policy (reliable topics only). The broker replaces the whole policy, so
   * fields left out are read from the current one (or the broker defaults) first.
   */
  async setFailurePolicy(topic: string, subscription: string, patch: Partial<FailurePolicy>): Promise<FailurePolicy> {
    const current = (await this.getFailurePolicy(topic, subscription))?.policy ?? DEFAULT_FAILURE_POLICY;
    const policy: FailurePolicy = { ...current, ...patch };
    await this.rpc('SetSubscriptionFailurePolicy', (c) => c.setSubscriptionFailurePolicy, { topic, subscription, failurePolicy: toWire(policy) });
    return policy;
  }

  /** The `max_unacked_messages` set for the subscription, or `undefined` (broker default applies). */
  async getMaxUnacked(topic: string, subscription: string): Promise<number | undefined> {
    const res = await this.rpc<object, { dispatchConfig?: { maxUnackedMessages: number } }>(
      'GetSubscriptionDispatchConfig',
      (c) => c.getSubscriptionDispatchConfig,
      {
        topic,
        subscription,
      },
    );
    return res.dispatchConfig?.maxUnackedMessages;
  }

  /** Sets how many messages may be unacked at once on the subscription (1–10000). */
  async setMaxUnacked(topic: string, subscription: string, maxUnackedMessages: number): Promise<void> {
    await this.rpc('SetSubscriptionDispatchConfig', (c) => c.setSubscriptionDispatchConfig, { topic, subscription, dispatchConfig: { maxUnackedMessages } });
  }
}
