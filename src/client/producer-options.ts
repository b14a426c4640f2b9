import * as z from 'zod';
import { parseWith } from './options.js';
import { validateTopic } from './topic.js';

/** Which schema version a producer's messages carry (resolved through the registry at create). */
export interface ProducerSchemaOptions {
  subject: string;
  /** Pin this version (must exist); latest when absent. */
  version?: number;
  /** Require at least this version of the subject (uses the latest). */
  minVersion?: number;
}

export interface ProducerOptions {
  /** `/namespace/topic`. With `partitions`, messages go to `/namespace/topic-part-N`. */
  topic: string;
  /** Producer name; the broker treats a second create with the same name as a reconnect. */
  name: string;
  /**
   * Number of partitions to create or use. When absent, existing partitions of the topic are
   * discovered (TopicPartitions); otherwise the topic is a plain one.
   */
  partitions?: number;
  /** Topic dispatch strategy when the producer creates it (default `'non-reliable'`, as Danube). */
  dispatch?: 'reliable' | 'non-reliable';
  /**
   * `'ordered'` (default): at most one send in flight per partition, so messages keep the order
   * of the `send()` calls, even under concurrent callers. `'pipelined'`: up to `maxInFlight` sends
   * in flight; much faster, but a retried message can overtake later ones.
   */
  mode?: 'ordered' | 'pipelined';
  /** Bound on sends not yet accepted (queued + in flight), all partitions together (default 1024). */
  maxInFlight?: number;
  /** Time limit of one `send()`, retries included (default: the client's `requestTimeoutMs`). */
  sendTimeoutMs?: number;
  schema?: ProducerSchemaOptions;
  /**
   * Cancels creating the producer (retries included): `createProducer()` then rejects at once
   * with `AbortedError`. Only bounds the creation, not the producer's life.
   */
  signal?: AbortSignal;
}

export interface ResolvedProducerOptions {
  topic: string;
  name: string;
  partitions?: number;
  dispatch: 'reliable' | 'non-reliable';
  mode: 'ordered' | 'pipelined';
  maxInFlight: number;
  sendTimeoutMs?: number;
  schema?: ProducerSchemaOptions;
}

export const DEFAULT_PRODUCER_MODE = 'ordered';
export const DEFAULT_MAX_IN_FLIGHT = 1024;
export const DEFAULT_DISPATCH = 'non-reliable';

const schema = z.strictObject({
  topic: z.string(),
  name: z.string().min(1),
  partitions: z.number().int().min(1).max(10_000).optional(),
  dispatch: z.enum(['reliable', 'non-reliable']).default(DEFAULT_DISPATCH),
  mode: z.enum(['ordered', 'pipelined']).default(DEFAULT_PRODUCER_MODE),
  maxInFlight: z.number().int().min(1).default(DEFAULT_MAX_IN_FLIGHT),
  sendTimeoutMs: z.number().int().positive().optional(),
  schema: z
    .strictObject({
      subject: z.string().min(1),
      version: z.number().int().min(1).optional(),
      minVersion: z.number().int().min(1).optional(),
    })
    .refine((s) => s.version === undefined || s.minVersion === undefined, 'give "version" or "minVersion", not both')
    .optional(),
});

/** Checks producer options once (topic name included), fills defaults, names unknown keys. */
export function parseProducerOptions(input: Omit<ProducerOptions, 'signal'>): ResolvedProducerOptions {
  const options = parseWith(schema, input, 'producer options');
  validateTopic(options.topic);
  return options;
}
