import * as z from 'zod';
import { parseWith } from './options.js';
import { validateTopic } from './topic.js';

export type SubscriptionType = 'exclusive' | 'shared' | 'failover' | 'key-shared';

export interface ConsumerOptions {
  /** `/namespace/topic`; a partitioned topic is consumed from all its partitions. */
  topic: string;
  /** Subscription name; the subscription keeps its position between consumers. */
  subscription: string;
  /**
   * Consumer name. Reconnects use it to take over the broker-side consumer (and its unacked
   * messages). Default: a random name per consumer.
   */
  consumerName?: string;
  /** Default `'shared'` (as the Rust and Go builders). Fixed by whoever creates the subscription. */
  type?: SubscriptionType;
  /** For `'key-shared'`: glob patterns (`*`, `?`) of the routing keys this consumer takes. */
  keyFilters?: string[];
  /** Messages held for the iterator before reading pauses (default 100). */
  bufferSize?: number;
  /**
   * The topic's dispatch strategy, which decides what a full buffer does. `'reliable'` (default):
   * stop reading the stream (the broker waits; nothing is lost). `'non-reliable'`: keep reading
   * (the broker would drop messages after 4 unread ones) and drop the oldest buffered message.
   */
  dispatch?: 'reliable' | 'non-reliable';
  /** Health check period for this consumer (default: the client's `healthCheckIntervalMs`). */
  healthCheckIntervalMs?: number;
  /**
   * Cancels subscribing (retries included): `subscribe()` then rejects at once with
   * `AbortedError`. Only bounds the subscribe, not the consumer's life.
   */
  signal?: AbortSignal;
}

export interface ResolvedConsumerOptions {
  topic: string;
  subscription: string;
  consumerName: string;
  type: SubscriptionType;
  keyFilters: string[];
  bufferSize: number;
  dispatch: 'reliable' | 'non-reliable';
  healthCheckIntervalMs?: number;
}

export const DEFAULT_SUBSCRIPTION_TYPE: SubscriptionType = 'shared';
export const DEFAULT_BUFFER_SIZE = 100;

const schema = z
  .strictObject({
    topic: z.string(),
    subscription: z.string().min(1),
    consumerName: z.string().min(1).optional(),
    type: z.enum(['exclusive', 'shared', 'failover', 'key-shared']).default(DEFAULT_SUBSCRIPTION_TYPE),
    keyFilters: z.array(z.string().min(1)).default([]),
    bufferSize: z.number().int().min(1).default(DEFAULT_BUFFER_SIZE),
    dispatch: z.enum(['reliable', 'non-reliable']).default('reliable'),
    healthCheckIntervalMs: z.number().int().positive().optional(),
  })
  .refine((o) => o.keyFilters.length === 0 || o.type === 'key-shared', {
    message: '"keyFilters" only apply to type "key-shared"',
    path: ['keyFilters'],
  });

/** Checks consumer options once (topic name included), fills defaults, names unknown keys. */
export function parseConsumerOptions(input: Omit<ConsumerOptions, 'signal'>): ResolvedConsumerOptions {
  const options = parseWith(schema, input, 'consumer options');
  validateTopic(options.topic);
  const consumerName = options.consumerName ?? `consumer-${Math.random().toString(16).slice(2, 10)}`;
  return { ...options, consumerName };
}
