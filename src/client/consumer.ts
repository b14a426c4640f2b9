import { ConsumerRequest_SubscriptionType } from '../generated/danube/DanubeApi.js';
import { Deadline } from './backoff.js';
import { parseConsumerOptions, type ConsumerOptions, type ResolvedConsumerOptions, type SubscriptionType } from './consumer-options.js';
import type { ClientContext } from './context.js';
import { withAbort } from './abort.js';
import { ClientClosedError, DanubeError, TopicNotFoundError, Status } from './errors.js';
import { retrying } from './establish.js';
import { topicPartitions } from './lookup.js';
import { MessageQueue } from './message-queue.js';
import type { DanubeMessage } from './message.js';
import { PartitionConsumer, type MessageSink } from './partition-consumer.js';

const SUBSCRIPTION_TYPES: Record<SubscriptionType, ConsumerRequest_SubscriptionType> = {
  exclusive: ConsumerRequest_SubscriptionType.Exclusive,
  shared: ConsumerRequest_SubscriptionType.Shared,
  failover: ConsumerRequest_SubscriptionType.Failover,
  'key-shared': ConsumerRequest_SubscriptionType.KeyShared,
};

export interface NackOptions {
  /** Redeliver no sooner than this (the subscription's backoff may ask for longer). */
  delayMs?: number;
  /** Recorded by the broker, and copied into dead-letter attributes. */
  reason?: string;
}

/** Whether a consumer is receiving right now: see `Consumer.state()`. */
export interface ConsumerState {
  /** Every partition has a receive stream open after a successful Subscribe (false once closed). */
  attached: boolean;
  /** Since when (ms since epoch) at least one partition has not been attached; absent while attached. */
  detachedSince?: number;
  /** Partition topics without a receive stream right now (empty while attached). */
  detachedPartitions: string[];
}

/**
 * Receives messages from a topic (every partition of it). Create it with `client.subscribe()`;
 * iterate it with `for await`, and ack or nack every message.
 *
 * @example
 * const consumer = await client.subscribe({ topic: '/default/orders', subscription: 'orders-pg', type: 'shared' });
 * for await (const msg of consumer) {
 *   try { await handle(msg.payload); await consumer.ack(msg); }
 *   catch (err) { await consumer.nack(msg, { delayMs: 5_000, reason: String(err) }); }
 * }
 */
export class Consumer implements AsyncIterable<DanubeMessage>, MessageSink {
  readonly topic: string;
  readonly subscription: string;
  readonly consumerName: string;
  private readonly byTopic = new Map<string, PartitionConsumer>();
  private readonly queue: MessageQueue;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly ctx: ClientContext,
    private readonly options: ResolvedConsumerOptions,
  ) {
    this.topic = options.topic;
    this.subscription = options.subscription;
    this.consumerName = options.consumerName;
    this.queue = new MessageQueue(options.bufferSize, options.dispatch === 'reliable', () => this.resumeAll(), ctx.logger);
  }

  /** @internal Use `client.subscribe()`. */
  static async create(ctx: ClientContext, input: ConsumerOptions): Promise<Consumer> {
    const { signal, ...rest } = input ?? ({} as ConsumerOptions);
    const options = parseConsumerOptions(rest);
    ctx.ensureOpen('subscribe', options.topic);
    return withAbort(
      signal,
      'subscribe',
      options.topic,
      async (stop) => {
        const consumer = new Consumer(ctx, options);
        await consumer.start(stop);
        return consumer;
      },
      (late) => void late.close(),
    );
  }

  /** Partition topics consumed (`[topic]` when not partitioned). */
  get partitions(): string[] {
    return [...this.byTopic.keys()];
  }

  /** Messages the iterator has not handed out yet. */
  get buffered(): number {
    return this.queue.size;
  }

  /** Non-reliable only: messages dropped because the buffer was full. */
  get dropped(): number {
    return this.queue.dropped;
  }

  /** Shorthand for `state().attached`. */
  get attached(): boolean {
    return this.state().attached;
  }

  /**
   * Whether every partition is receiving right now. After a lost connection, a broker restart or
   * a health check answered CLOSE the consumer resubscribes by itself; until its receive stream
   * is open again it is not attached (non-reliable messages published meanwhile do not reach it;
   * reliable ones wait on the broker). Read-only and cheap: no RPC.
   *
   * @example
   * const { attached, detachedSince } = consumer.state();
   * if (!attached) logger.warn({ downForMs: Date.now() - detachedSince! }, 'consumer resubscribing');
   */
  state(): ConsumerState {
    let detachedSince: number | undefined;
    const detachedPartitions: string[] = [];
    for (const p of this.byTopic.values()) {
      const since = p.detachedSince;
      if (since === undefined) continue;
      detachedPartitions.push(p.topic);
      detachedSince = detachedSince === undefined ? since : Math.min(detachedSince, since);
    }
    if (detachedSince === undefined) return { attached: true, detachedPartitions };
    return { attached: false, detachedSince, detachedPartitions };
  }

  private async start(signal: AbortSignal | undefined): Promise<void> {
    const { ctx, options } = this;
    const deadline = new Deadline(ctx.options.connectTimeoutMs, 'subscribe', options.topic, signal);
    const topics = await retrying(ctx, options.topic, 'topic partitions', deadline, () => topicPartitions(ctx, options.topic, deadline));
    if (topics.length === 0) {
      throw new TopicNotFoundError(`subscribe on ${options.topic} failed: the topic does not exist`, {
        topic: options.topic,
        code: Status.NOT_FOUND,
        retryable: false,
      });
    }
    const sub = {
      subscription: options.subscription,
      consumerName: options.consumerName,
      type: SUBSCRIPTION_TYPES[options.type],
      keyFilters: options.keyFilters,
      reliable: options.dispatch === 'reliable',
      healthCheckIntervalMs: options.healthCheckIntervalMs ?? ctx.options.healthCheckIntervalMs,
    };
    for (const topic of topics) this.byTopic.set(topic, new PartitionConsumer(ctx, topic, options.topic, sub, this));
    try {
      await Promise.all([...this.byTopic.values()].map((p) => p.start(deadline)));
    } catch (err) {
      for (const p of this.byTopic.values()) p.close();
      throw err;
    }
    ctx.track(this);
  }

  /** @internal Called by partition consumers. */
  deliver(partition: PartitionConsumer, message: DanubeMessage): void {
    if (this.queue.push(message)) partition.pause();
  }

  /** @internal A partition hit an error it cannot recover from: the iterator rethrows it. */
  fail(error: DanubeError): void {
    this.ctx.logger.error({ topic: this.topic, err: error.message }, 'consumer failed');
    this.queue.fail(error);
  }

  private resumeAll(): void {
    for (const p of this.byTopic.values()) p.resume();
  }

  /**
   * The next message; waits up to `timeoutMs` (then resolves `undefined`) or until `signal`
   * aborts. Rejects once the consumer is closed and drained, or failed.
   */
  receive(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<DanubeMessage | undefined> {
    return this.queue.take(options.timeoutMs, options.signal);
  }

  [Symbol.asyncIterator](): AsyncIterator<DanubeMessage> {
    return {
      next: () => {
        const ready = this.queue.poll();
        if (ready !== undefined) return Promise.resolve({ done: false, value: ready });
        return this.queue.take().then(toIteratorResult, endWhenClosed);
      },
      // Leaving a for-await loop does not close the consumer: it can be iterated again.
      return: () => Promise.resolve({ done: true, value: undefined }),
    };
  }

  /** Confirms `message`; on reliable topics the broker will not deliver it again. */
  ack(message: DanubeMessage): Promise<void> {
    const partition = this.partitionOf(message, 'ack');
    return partition instanceof DanubeError ? Promise.reject(partition) : partition.ack(message);
  }

  /** Asks for redelivery of `message` (reliable topics), after `delayMs` at the earliest. */
  nack(message: DanubeMessage, options: NackOptions = {}): Promise<void> {
    const partition = this.partitionOf(message, 'nack');
    return partition instanceof DanubeError ? Promise.reject(partition) : partition.nack(message, options.delayMs, options.reason);
  }

  private partitionOf(message: DanubeMessage, operation: string): PartitionConsumer | DanubeError {
    if (this.closing) return new ClientClosedError(`${operation} on ${message.topic}: consumer is closed`, { topic: message.topic, retryable: false });
    const partition = this.byTopic.get(message.topic);
    if (!partition)
      return new DanubeError(`${operation}: message from ${message.topic} was not received by this consumer`, { topic: message.topic, retryable: false });
    return partition;
  }

  /**
   * Stops receiving and ends the iterator. Unacked messages of reliable topics are redelivered
   * by the broker (to this consumer name on its next subscribe, or to others). Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const p of this.byTopic.values()) p.close();
      this.queue.close();
      this.ctx.untrack(this);
    })();
    return this.closing;
  }
}

const DONE: IteratorResult<DanubeMessage> = Object.freeze({ done: true, value: undefined });

function toIteratorResult(value: DanubeMessage | undefined): IteratorResult<DanubeMessage> {
  return value === undefined ? DONE : { done: false, value };
}

function endWhenClosed(err: unknown): IteratorResult<DanubeMessage> {
  if (err instanceof ClientClosedError) return DONE;
  throw err;
}
