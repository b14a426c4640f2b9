import { anyRule, checkOptions, enumRule, functionRule, intRule, objectRule, optional, required, stringRule } from '../core/check-options.js';
import { ConfigError } from '../core/errors.js';
import { parseRetryPolicy, type RetryPolicy, type RetryPolicyOptions } from '../core/retry.js';
import type { Logger } from '../core/logger.js';
import type { SourceRecord } from '../core/source-record.js';

/** What `poll` is given: where to resume, when to give up, where to log. */
export interface PollContext<C> {
  /** The last committed checkpoint, or `initialCheckpoint` on the very first run (or after a reset). */
  checkpoint: C | undefined;
  /** Aborts when the run's time budget is spent; pass it to fetch / database calls. */
  signal: AbortSignal;
  logger: Logger;
}

/** What `poll` returns: the records to publish and the checkpoint that covers them. */
export interface PollResult<C> {
  records: SourceRecord[];
  /** Stored only after every record was accepted by the broker. Any JSON value. */
  checkpoint: C;
  /** Nothing more to read for now: the run ends after this batch. */
  done?: boolean;
}

/** How records must keep their order on the topic. */
export type SourceOrdering = 'key' | 'partition' | 'none';

export interface SourceOptions<C> {
  /** Unique within the service; part of the checkpoint key and of derived record ids. */
  name: string;
  poll: (context: PollContext<C>) => Promise<PollResult<C>>;
  /** The topic of every record (a record's own `topic` wins). Give this or `route`. */
  topic?: string;
  /** Picks a record's topic; may throw `InvalidRecordError` to dead-letter the record. */
  route?: (record: SourceRecord) => string;
  /**
   * `key` (default): records of one key (and, together, the records without a key) are written
   * in the order poll returned them; different keys are sent in parallel. `partition`: one send in
   * flight per partition, so a whole partition keeps poll's order. `none`: everything pipelined.
   */
  ordering?: SourceOrdering;
  /** Create the topics with this many partitions (keys pick the partition). */
  partitions?: number;
  /** Topic dispatch when the producer creates it (default `reliable`). */
  dispatch?: 'reliable' | 'non-reliable';
  /** Where invalid records go, with the reason; without one, an invalid record fails the run. */
  deadLetterTopic?: string;
  /** Where a source starts when nothing was ever committed. */
  initialCheckpoint?: C;
  /** Backoff for retryable poll and publish failures. */
  retry?: RetryPolicyOptions;
  /**
   * Called after a batch's checkpoint was committed (so every record up to it was accepted by
   * the broker): where a source acknowledges upstream, e.g. a replication slot's confirmed LSN.
   * A failure is logged, not fatal: the next run starts from the committed checkpoint anyway.
   */
  onCommitted?: (checkpoint: C) => void | Promise<void>;
  /** Called once when a run ends, however it ended: release what polls kept open (a stream). */
  onRunEnd?: () => void | Promise<void>;
}

/** A checked source definition, ready for {@link runSource} and the runtime adapters. */
export interface Source<C = unknown> {
  readonly name: string;
  readonly poll: (context: PollContext<C>) => Promise<PollResult<C>>;
  readonly topic?: string;
  readonly route?: (record: SourceRecord) => string;
  readonly ordering: SourceOrdering;
  readonly partitions?: number;
  readonly dispatch: 'reliable' | 'non-reliable';
  readonly deadLetterTopic?: string;
  readonly initialCheckpoint?: C;
  readonly retry: RetryPolicy;
  readonly onCommitted?: (checkpoint: C) => void | Promise<void>;
  readonly onRunEnd?: () => void | Promise<void>;
}

export const DEFAULT_SOURCE_ORDERING: SourceOrdering = 'key';
export const DEFAULT_SOURCE_DISPATCH: 'reliable' | 'non-reliable' = 'reliable';

const anyFunction = functionRule<(...args: never[]) => unknown>(() => undefined);
const TOPIC = /^\/[^/\s]+\/[^/\s]+$/;

const SOURCE_OPTION_RULES = {
  // Names end up in checkpoint keys (`<service>/<source>#<partition>`) and producer names.
  name: required(stringRule('', /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" or "-" (at most 128)')),
  poll: required(anyFunction),
  topic: optional(stringRule('', TOPIC, 'a topic such as "/default/orders"')),
  route: optional(anyFunction),
  ordering: enumRule<SourceOrdering>(DEFAULT_SOURCE_ORDERING, ['key', 'partition', 'none']),
  partitions: optional(intRule(1, 1, 10_000)),
  dispatch: enumRule<'reliable' | 'non-reliable'>(DEFAULT_SOURCE_DISPATCH, ['reliable', 'non-reliable']),
  deadLetterTopic: optional(stringRule('', TOPIC, 'a topic such as "/default/orders-dlq"')),
  initialCheckpoint: anyRule<unknown>(),
  retry: optional(objectRule({})),
  onCommitted: optional(anyFunction),
  onRunEnd: optional(anyFunction),
};

/**
 * Checks a source once, at start-up: unknown keys, a missing `topic`/`route` or a bad name fail
 * here with a message naming the key, not at 3 a.m.
 *
 * @example
 * export const orders = defineSource<{ after: string }>({
 *   name: 'orders',
 *   topic: '/default/orders',
 *   initialCheckpoint: { after: '1970-01-01T00:00:00Z' },
 *   async poll({ checkpoint, signal }) {
 *     const rows = await fetchOrdersAfter(checkpoint!.after, { signal });
 *     return {
 *       records: rows.map((r) => SourceRecord.fromJson(r, { key: r.customerId })),
 *       checkpoint: { after: rows.at(-1)?.updatedAt ?? checkpoint!.after },
 *       done: rows.length === 0,
 *     };
 *   },
 * });
 */
export function defineSource<C = unknown>(options: SourceOptions<C>): Source<C> {
  const what = `source "${String(options?.name)}"`;
  const parsed = checkOptions(options, SOURCE_OPTION_RULES, what);
  if ((parsed.topic === undefined) === (parsed.route === undefined)) {
    throw new ConfigError(`invalid ${what}: give "topic" or "route"${parsed.topic === undefined ? '' : ', not both'}`, [
      parsed.topic === undefined ? 'topic' : 'route',
    ]);
  }
  const source: Source<C> = {
    name: parsed.name,
    poll: options.poll,
    ordering: parsed.ordering,
    dispatch: parsed.dispatch,
    retry: parseRetryPolicy(options.retry),
    ...(parsed.topic !== undefined ? { topic: parsed.topic } : {}),
    ...(options.route !== undefined ? { route: options.route } : {}),
    ...(parsed.partitions !== undefined ? { partitions: parsed.partitions } : {}),
    ...(parsed.deadLetterTopic !== undefined ? { deadLetterTopic: parsed.deadLetterTopic } : {}),
    ...(options.initialCheckpoint !== undefined ? { initialCheckpoint: options.initialCheckpoint } : {}),
    ...(options.onCommitted !== undefined ? { onCommitted: options.onCommitted } : {}),
    ...(options.onRunEnd !== undefined ? { onRunEnd: options.onRunEnd } : {}),
  };
  return Object.freeze(source);
}
