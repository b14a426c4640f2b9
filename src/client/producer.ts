import { DispatchStrategy, type SchemaReference } from '../generated/danube/DanubeApi.js';
import { Deadline } from './backoff.js';
import type { ClientContext } from './context.js';
import { abortedError, withAbort } from './abort.js';
import { ClientClosedError, MessageTooLargeError, SchemaError } from './errors.js';
import { partitionForKey } from './fnv.js';
import { topicPartitions } from './lookup.js';
import { estimateEncodedSize, payloadBytes } from './message.js';
import { PartitionProducer } from './partition-producer.js';
import { PendingSend, settleFlush, type FlushWaiter, type SendResult, type SendTarget } from './pending-send.js';
import { parseProducerOptions, type ProducerOptions, type ResolvedProducerOptions } from './producer-options.js';
import { resolveSchema } from './producer-schema.js';
import { partitionTopic } from './topic.js';
import { otelApiWhenOn, tracingRegistered } from '../core/tracing.js';
import { tracedSend } from './tracing.js';

export interface SendOptions {
  attributes?: Record<string, string>;
  /** Routing key: picks the partition (`FNV-1a-64(key) % partitions`) and is sent as `routing_key`. */
  key?: string;
  /**
   * Cancels this send: it rejects at once with `AbortedError`. Aborted before the message left,
   * it is never sent; aborted after it was handed to gRPC, the call is cancelled but the broker
   * may still have stored it (at-least-once). In ordered mode the other sends keep their order.
   */
  signal?: AbortSignal;
}

const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Publishes messages to a topic (all its partitions). Create it with `client.createProducer()`.
 *
 * @example
 * const producer = await client.createProducer({ topic: '/default/orders', name: 'orders-src',
 *   partitions: 4, dispatch: 'reliable', mode: 'pipelined' });
 * await producer.send(JSON.stringify(order), { key: order.customerId, attributes: { type: 'order' } });
 * await producer.flush();
 * await producer.close();
 */
export class Producer {
  readonly topic: string;
  readonly name: string;
  private readonly partitionList: PartitionProducer[] = [];
  private readonly ordered: boolean;
  private readonly sendTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly maxMessageBytes: number;
  private fixedSize = 0;
  private roundRobin = 0;
  private outstanding = 0;
  private waiting: PendingSend[] = [];
  private waitingHead = 0;
  private readonly live = new Set<PendingSend>();
  private readonly queues = new Map<SendTarget, { items: PendingSend[]; head: number; busy: boolean }>();
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly ctx: ClientContext,
    private readonly options: ResolvedProducerOptions,
  ) {
    this.topic = options.topic;
    this.name = options.name;
    this.ordered = options.mode === 'ordered';
    this.sendTimeoutMs = options.sendTimeoutMs ?? ctx.options.requestTimeoutMs;
    this.maxInFlight = options.maxInFlight;
    this.maxMessageBytes = ctx.options.maxMessageBytes;
  }

  /** @internal Use `client.createProducer()`. */
  static async create(ctx: ClientContext, input: ProducerOptions): Promise<Producer> {
    const { signal, ...rest } = input ?? ({} as ProducerOptions);
    const options = parseProducerOptions(rest);
    ctx.ensureOpen('create producer', options.topic);
    // With tracing on, the API is ready before the first send (which cannot wait for it).
    await otelApiWhenOn();
    return withAbort(
      signal,
      'create producer',
      options.topic,
      async (stop) => {
        const producer = new Producer(ctx, options);
        await producer.open(stop);
        return producer;
      },
      (late) => void late.close(),
    );
  }

  /** Partition topics this producer writes to (`[topic]` when not partitioned). */
  get partitions(): string[] {
    return this.partitionList.map((p) => p.topic);
  }

  private async open(signal: AbortSignal | undefined): Promise<void> {
    const { options, ctx } = this;
    const deadline = new Deadline(ctx.options.connectTimeoutMs, 'create producer', options.topic, signal);
    let topics: string[];
    if (options.partitions !== undefined) {
      topics = Array.from({ length: options.partitions }, (_, i) => partitionTopic(options.topic, i));
    } else {
      // Use the partitions the topic already has, if any (a plain create would be refused).
      const found = await topicPartitions(ctx, options.topic, deadline).catch(() => [] as string[]);
      topics = found.length > 1 || (found.length === 1 && found[0] !== options.topic) ? found : [options.topic];
    }
    const dispatch = options.dispatch === 'reliable' ? DispatchStrategy.Reliable : DispatchStrategy.NonReliable;
    const schemaRef: SchemaReference | undefined = options.schema && {
      subject: options.schema.subject,
      ...(options.schema.version !== undefined
        ? { pinnedVersion: options.schema.version }
        : options.schema.minVersion !== undefined
          ? { minVersion: options.schema.minVersion }
          : { useLatest: true }),
    };
    const partitioned = topics.length > 1 || topics[0] !== options.topic;
    for (const [i, topic] of topics.entries()) {
      // The Rust client names the producer of partition i "<name>-<i>".
      const name = partitioned ? `${options.name}-${i}` : options.name;
      const partition = new PartitionProducer(ctx, topic, name, dispatch, schemaRef, (p, pending) => this.onDone(p, pending));
      this.partitionList.push(partition);
      this.queues.set(partition, { items: [], head: 0, busy: false });
    }
    try {
      await Promise.all(this.partitionList.map((p) => p.create(deadline)));
      if (options.schema) {
        const resolved = await resolveSchema(ctx.registry, options.schema).catch((err: unknown) => {
          throw err instanceof SchemaError
            ? err
            : new SchemaError(`resolving schema "${options.schema!.subject}" for ${options.topic} failed: ${(err as Error).message}`, {
                topic: options.topic,
                cause: err,
                retryable: false,
              });
        });
        for (const p of this.partitionList) p.useSchema(resolved.schemaId, resolved.version);
      }
    } catch (err) {
      for (const p of this.partitionList) p.close();
      throw err;
    }
    this.fixedSize = Math.max(...topics.map((t) => t.length)) * 2 + options.name.length + 128;
    ctx.track(this);
  }

  /**
   * Sends one message; resolves once the broker accepted it. Retries transient failures (with
   * fresh lookups and producer recreation) within `sendTimeoutMs`. `options.signal` cancels it
   * (see `SendOptions.signal`: once handed to gRPC, the broker may still store the message).
   *
   * @example
   * await producer.send(body, { key: order.id, signal: AbortSignal.timeout(1_000) });
   */
  send(payload: Uint8Array | string, options?: SendOptions): Promise<SendResult> {
    if (tracingRegistered()) {
      const traced = tracedSend(this.topic, options, (o) => this.send(payload, o));
      if (traced) return traced;
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(abortedError(signal, 'send', this.topic));
    if (this.closed) return Promise.reject(new ClientClosedError(`producer ${this.name} on ${this.topic} is closed`, { topic: this.topic, retryable: false }));
    if (this.ctx.signal.aborted)
      return Promise.reject(new ClientClosedError(`client is closed; cannot send to ${this.topic}`, { topic: this.topic, retryable: false }));
    const bytes = payloadBytes(payload);
    const key = options?.key;
    const attributes = options?.attributes ?? NO_ATTRIBUTES;
    const size = estimateEncodedSize(bytes.length, attributes, key, this.fixedSize);
    if (size > this.maxMessageBytes) {
      return Promise.reject(
        new MessageTooLargeError(
          `message of ${bytes.length} payload bytes (~${size} encoded) exceeds the ${this.maxMessageBytes}-byte limit on ${this.topic}`,
          { topic: this.topic, retryable: false },
        ),
      );
    }
    const count = this.partitionList.length;
    const partition = this.partitionList[key !== undefined ? (count === 1 ? 0 : partitionForKey(key, count)) : this.roundRobin++ % count]!;
    const pending = new PendingSend(partition, partition.nextRequestId(), bytes, Date.now(), attributes, key);
    const promise = new Promise<SendResult>((resolve, reject) => {
      pending.resolve = resolve;
      pending.reject = reject;
    });
    this.live.add(pending);
    if (signal) {
      pending.signal = signal;
      pending.onAbort = () => this.abortSend(pending, signal);
      signal.addEventListener('abort', pending.onAbort, { once: true });
    }
    if (this.outstanding < this.maxInFlight) this.startSend(pending);
    else this.waiting.push(pending);
    return promise;
  }

  private startSend(pending: PendingSend): void {
    this.outstanding++;
    pending.deadlineAt = Date.now() + this.sendTimeoutMs;
    const partition = pending.partition;
    if (!this.ordered) return partition.attempt(pending);
    // Ordered: one send in flight per partition; the rest wait in send() order.
    const queue = this.queues.get(partition)!;
    if (queue.busy) {
      pending.stage = 'queued';
      queue.items.push(pending);
    } else {
      queue.busy = true;
      partition.attempt(pending);
    }
  }

  private onDone(partition: SendTarget, pending: PendingSend): void {
    this.outstanding--;
    this.live.delete(pending);
    if (this.ordered) {
      const queue = this.queues.get(partition)!;
      let next: PendingSend | undefined;
      while (queue.head < queue.items.length) {
        const item = queue.items[queue.head]!;
        queue.items[queue.head++] = undefined as unknown as PendingSend;
        // Aborted while queued: already rejected; it gives its slot back and keeps no place in line.
        if (!item.settled) {
          next = item;
          break;
        }
        this.outstanding--;
      }
      if (queue.head > 1024 && queue.head * 2 > queue.items.length) {
        queue.items = queue.items.slice(queue.head);
        queue.head = 0;
      }
      if (next) partition.attempt(next);
      else {
        queue.busy = false;
        queue.items.length = 0;
        queue.head = 0;
      }
    }
    while (this.waiting.length > this.waitingHead && this.outstanding < this.maxInFlight) {
      const next = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as unknown as PendingSend;
      if (this.waitingHead === this.waiting.length) {
        this.waiting = [];
        this.waitingHead = 0;
      }
      // Aborted while waiting for a slot: never started, nothing to free.
      if (next.settled) continue;
      this.startSend(next);
      break;
    }
  }

  /**
   * The caller's signal aborted `pending`: reject it now. Not yet handed to gRPC: it never leaves.
   * Handed over: the call is cancelled, but the broker may already have stored the message.
   */
  private abortSend(pending: PendingSend, signal: AbortSignal): void {
    const attempted = pending.stage === 'attempted';
    const note = attempted ? '; the message had been sent and the broker may still have stored it' : '; the message was not sent';
    pending.settle(undefined, abortedError(signal, 'send', this.topic, note));
    this.live.delete(pending);
    if (attempted) pending.partition.abandon(pending);
  }

  /**
   * Resolves when every send made so far has been accepted; rejects if any of them failed
   * (each failed `send()` promise also rejects on its own). `signal` stops the wait (rejects with
   * `AbortedError`); the sends go on.
   */
  flush(options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortedError(signal, 'flush', this.topic));
    if (this.live.size === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(abortedError(signal!, 'flush', this.topic, '; the sends themselves go on'));
      const done = () => signal?.removeEventListener('abort', onAbort);
      const waiter: FlushWaiter = {
        remaining: this.live.size,
        failed: 0,
        resolve: () => (done(), resolve()),
        reject: (err) => (done(), reject(err)),
      };
      for (const pending of this.live) (pending.waiters ??= []).push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (waiter.remaining === 0) settleFlush(waiter);
    });
  }

  /** Waits for outstanding sends, then stops. Safe to call twice; later sends fail with `ClientClosedError`. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      await this.flush().catch(() => undefined);
      for (const p of this.partitionList) p.close();
      this.ctx.untrack(this);
    })();
    return this.closing;
  }
}
