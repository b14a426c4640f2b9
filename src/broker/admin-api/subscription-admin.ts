import {
  SubscriptionBackoffStrategy as Backoff,
  SubscriptionPoisonPolicy as Poison,
  type SubscriptionFailurePolicy,
  type TopicAdminServer,
} from '../../generated/danube/DanubeAdmin.js';
import { failedPrecondition, internal, invalidArgument, notFound } from '../errors.js';
import type { PoisonPolicy, SubscriptionPolicy } from '../options.js';
import { topicResource, type Resource } from '../rbac.js';
import { unary } from '../services/gate.js';
import type { SubscriptionKind } from '../subscription.js';
import type { AdminContext } from './context.js';

type SubscriptionRpcs = Pick<
  TopicAdminServer,
  | 'listSubscriptions'
  | 'unsubscribe'
  | 'setSubscriptionFailurePolicy'
  | 'getSubscriptionFailurePolicy'
  | 'setSubscriptionDispatchConfig'
  | 'getSubscriptionDispatchConfig'
>;

const POISON_FROM_WIRE: Record<number, PoisonPolicy> = { [Poison.DeadLetter]: 'dead-letter', [Poison.Block]: 'block', [Poison.Drop]: 'drop' };
const POISON_TO_WIRE: Record<PoisonPolicy, Poison> = { 'dead-letter': Poison.DeadLetter, block: Poison.Block, drop: Poison.Drop };
const KIND_TO_WIRE: Record<SubscriptionKind, number> = { exclusive: 0, shared: 1, failover: 2, 'key-shared': 3 };
const FAILURE_KEYS = [
  'ackTimeoutMs',
  'maxRedeliveryCount',
  'baseRedeliveryDelayMs',
  'maxRedeliveryDelayMs',
  'backoff',
  'poisonPolicy',
  'deadLetterTopic',
] as const;

/** The wire failure policy → ours, with the real broker's INVALID_ARGUMENT messages. */
function fromWire(p: SubscriptionFailurePolicy): Omit<SubscriptionPolicy, 'maxUnackedMessages'> {
  if (p.backoffStrategy !== Backoff.Fixed && p.backoffStrategy !== Backoff.Exponential) throw invalidArgument('invalid backoff_strategy value');
  const poisonPolicy = POISON_FROM_WIRE[p.poisonPolicy];
  if (poisonPolicy === undefined) throw invalidArgument('invalid poison_policy value');
  const deadLetterTopic = p.deadLetterTopic?.trim() ? p.deadLetterTopic : undefined;
  if (poisonPolicy === 'dead-letter' && deadLetterTopic === undefined) {
    throw invalidArgument('dead_letter_topic must be configured when poison_policy is DeadLetter');
  }
  return {
    maxRedeliveryCount: p.maxRedeliveryCount,
    ackTimeoutMs: Number(p.ackTimeoutMs),
    baseRedeliveryDelayMs: Number(p.baseRedeliveryDelayMs),
    maxRedeliveryDelayMs: Number(p.maxRedeliveryDelayMs),
    backoff: p.backoffStrategy === Backoff.Fixed ? 'fixed' : 'exponential',
    poisonPolicy,
    deadLetterTopic,
  };
}

function toWire(p: SubscriptionPolicy): SubscriptionFailurePolicy {
  return {
    maxRedeliveryCount: p.maxRedeliveryCount,
    ackTimeoutMs: BigInt(p.ackTimeoutMs),
    baseRedeliveryDelayMs: BigInt(p.baseRedeliveryDelayMs),
    maxRedeliveryDelayMs: BigInt(p.maxRedeliveryDelayMs),
    backoffStrategy: p.backoff === 'fixed' ? Backoff.Fixed : Backoff.Exponential,
    deadLetterTopic: p.deadLetterTopic,
    poisonPolicy: POISON_TO_WIRE[p.poisonPolicy],
  };
}

/** The subscription half of `danube_admin.TopicAdmin`. */
export function subscriptionAdminRpcs(ctx: AdminContext): SubscriptionRpcs {
  const state = ctx.state;
  const manage = <R extends { topic: string }>(req: R): ['ManageTopic', Resource] => ['ManageTopic', topicResource(req.topic)];
  const live = (topic: string, subscription: string) => state.topics.get(topic)?.subscriptions.get(subscription);

  return {
    listSubscriptions: unary(
      ctx,
      'ListSubscriptions',
      (req) => ({
        subscriptions: [...(state.topics.get(req.name)?.subscriptions.keys() ?? [])],
      }),
      (req) => ['ManageTopic', topicResource(req.name)],
    ),

    unsubscribe: unary(
      ctx,
      'Unsubscribe',
      (req) => {
        const sub = live(req.topic, req.subscription);
        // Refused while a consumer is attached; the real broker says so even when the subscription does not exist.
        if (!sub || sub.consumers.some((c) => c.active)) {
          throw notFound(
            `Unable to unsubscribe the subscription ${req.subscription} due to error: Unable to unsubscribe as the subscription ${req.subscription} has active consumers`,
          );
        }
        ctx.admin.unsubscribe(req.topic, req.subscription);
        return { success: true };
      },
      manage,
    ),

    setSubscriptionFailurePolicy: unary(
      ctx,
      'SetSubscriptionFailurePolicy',
      (req) => {
        if (!req.failurePolicy) throw invalidArgument('failure_policy must be provided');
        if (!state.topics.get(req.topic)?.reliable) {
          throw failedPrecondition('subscription failure policy can only be configured for reliable topics');
        }
        ctx.admin.replaceFailurePolicy(req.topic, req.subscription, fromWire(req.failurePolicy));
        return { success: true };
      },
      manage,
    ),

    getSubscriptionFailurePolicy: unary(
      ctx,
      'GetSubscriptionFailurePolicy',
      (req) => {
        const sub = live(req.topic, req.subscription);
        const explicit = ctx.admin.explicitPolicy(req.topic, req.subscription);
        // The real broker stores a policy when one is set, or when the subscription is first created.
        const known = sub !== undefined || FAILURE_KEYS.some((k) => explicit[k] !== undefined);
        return {
          failurePolicy: known ? toWire(ctx.admin.getSubscriptionPolicy(req.topic, req.subscription)) : undefined,
          subscriptionType: sub ? KIND_TO_WIRE[sub.kind] : 0,
        };
      },
      manage,
    ),

    setSubscriptionDispatchConfig: unary(
      ctx,
      'SetSubscriptionDispatchConfig',
      (req) => {
        if (!req.dispatchConfig) throw invalidArgument('dispatch_config is required');
        const max = req.dispatchConfig.maxUnackedMessages;
        if (max < 1 || max > 10_000) throw invalidArgument('max_unacked_messages must be between 1 and 10000');
        try {
          ctx.admin.setSubscriptionPolicy(req.topic, req.subscription, { maxUnackedMessages: max });
        } catch (err) {
          throw internal(`Failed to set dispatch config: ${(err as Error).message}`);
        }
        return { success: true };
      },
      manage,
    ),

    getSubscriptionDispatchConfig: unary(
      ctx,
      'GetSubscriptionDispatchConfig',
      (req) => {
        const max = ctx.admin.explicitPolicy(req.topic, req.subscription).maxUnackedMessages;
        return { dispatchConfig: max === undefined ? undefined : { maxUnackedMessages: max } };
      },
      manage,
    ),
  };
}
