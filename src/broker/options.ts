import * as z from 'zod';
import { parseWithSchema } from '../core/options.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import { BrokerOptionsError } from './errors.js';

/** What happens to a message once its redeliveries are exhausted. */
export type PoisonPolicy = 'block' | 'drop' | 'dead-letter';

/**
 * Dispatch settings of one reliable subscription: the real broker's
 * `max_unacked_messages` plus its subscription failure policy.
 */
export interface SubscriptionPolicy {
  /** Unacked messages in flight per subscription (real broker: 1–10000, default 10). */
  maxUnackedMessages: number;
  ackTimeoutMs: number;
  /** Deliveries = 1 + this many redeliveries before the poison policy applies. */
  maxRedeliveryCount: number;
  baseRedeliveryDelayMs: number;
  maxRedeliveryDelayMs: number;
  backoff: 'exponential' | 'fixed';
  poisonPolicy: PoisonPolicy;
  deadLetterTopic?: string;
}

/** The real broker's defaults (`subscription.rs`, `dispatch_config.rs`). */
export const DEFAULT_SUBSCRIPTION_POLICY: Readonly<SubscriptionPolicy> = Object.freeze({
  maxUnackedMessages: 10,
  ackTimeoutMs: 30_000,
  maxRedeliveryCount: 5,
  baseRedeliveryDelayMs: 1_000,
  maxRedeliveryDelayMs: 60_000,
  backoff: 'exponential',
  poisonPolicy: 'block',
});

export const DEFAULT_BROKER_HOST = '127.0.0.1';
/** The `policies.max_message_size` the real broker gives bootstrap namespaces. */
export const DEFAULT_MAX_MESSAGE_SIZE = 10 * 1024 * 1024;
export const DEFAULT_FSYNC_INTERVAL_MS = 1_000;
/** The real broker's admin port (`broker.ports.admin`); `startBroker` takes any free port unless told. */
export const DEFAULT_ADMIN_PORT = 50051;

const policyShape = {
  maxUnackedMessages: z.number().int().min(1).max(10_000),
  ackTimeoutMs: z.number().int().min(1),
  maxRedeliveryCount: z.number().int().min(0),
  baseRedeliveryDelayMs: z.number().int().min(0),
  maxRedeliveryDelayMs: z.number().int().min(0),
  backoff: z.enum(['exponential', 'fixed']),
  poisonPolicy: z.enum(['block', 'drop', 'dead-letter']),
  deadLetterTopic: z.string().min(1),
};
export const subscriptionPolicySchema = z.strictObject(policyShape).partial();

const pem = z.union([z.string(), z.instanceof(Buffer)]);

const brokerSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().min(1).default(DEFAULT_BROKER_HOST),
  brokers: z.number().int().min(1).max(64).default(1),
  proxy: z.boolean().default(false),
  dataDir: z.string().min(1).optional(),
  fsyncIntervalMs: z.number().int().min(0).default(DEFAULT_FSYNC_INTERVAL_MS),
  adminPort: z.number().int().min(0).max(65535).default(0),
  adminTls: z.boolean().default(false),
  auth: z
    .strictObject({
      jwtSecret: z.string().min(1),
      // `auth.super_admins`: principal names that bypass RBAC.
      superAdmins: z.array(z.string().min(1)).default([]),
    })
    .optional(),
  tls: z.strictObject({ cert: pem, key: pem }).optional(),
  dispatch: subscriptionPolicySchema.default({}),
  subscriptions: z.array(z.strictObject({ topic: z.string(), subscription: z.string(), ...subscriptionPolicySchema.shape })).default([]),
  namespaces: z.array(z.string().min(1)).default(['default']),
  autoCreateTopics: z.boolean().default(true),
  maxMessageSize: z.number().int().min(0).default(DEFAULT_MAX_MESSAGE_SIZE),
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && 'info' in v).default(silentLogger),
});

/**
 * Options of {@link startBroker}. Every key is optional.
 *
 * @example
 * const broker = await startBroker({ port: 0, dispatch: { ackTimeoutMs: 300 } });
 */
export type BrokerOptions = z.input<typeof brokerSchema>;
export type ParsedBrokerOptions = Omit<z.output<typeof brokerSchema>, 'dispatch' | 'subscriptions'> & {
  dispatch: SubscriptionPolicy;
  subscriptions: Array<{ topic: string; subscription: string } & Partial<SubscriptionPolicy>>;
};

/**
 * Fills defaults and rejects unknown or invalid keys with a message naming the key.
 *
 * @example
 * parseBrokerOptions({ dispatch: { ackTimeoutMs: 300 } }).dispatch.maxUnackedMessages; // 10
 */
export function parseBrokerOptions(options: BrokerOptions = {}): ParsedBrokerOptions {
  const parsed = parseWithSchema(brokerSchema, options, 'broker options', (message) => new BrokerOptionsError(message));
  if (parsed.adminTls && !parsed.tls) throw new BrokerOptionsError('invalid broker options: adminTls: needs "tls" (the admin port uses the same certificate)');
  const dispatch = mergePolicy(DEFAULT_SUBSCRIPTION_POLICY, parsed.dispatch);
  return { ...parsed, dispatch } as ParsedBrokerOptions;
}

/** Parses a partial policy (admin calls); throws BrokerOptionsError naming the key. */
export function parseSubscriptionPolicy(patch: unknown): Partial<SubscriptionPolicy> {
  return parseWithSchema(subscriptionPolicySchema, patch, 'subscription policy', (message) => new BrokerOptionsError(message));
}

export function mergePolicy(base: Readonly<SubscriptionPolicy>, patch: Partial<SubscriptionPolicy>): SubscriptionPolicy {
  const merged = { ...base };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  if (merged.poisonPolicy === 'dead-letter' && !merged.deadLetterTopic) {
    throw new BrokerOptionsError('invalid subscription policy "deadLetterTopic": required when poisonPolicy is dead-letter');
  }
  return merged;
}
