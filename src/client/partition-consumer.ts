import type { Metadata, ServiceError } from '@grpc/grpc-js';
import type { AckRequest, ConsumerRequest_SubscriptionType, ConsumerResponse, NackRequest, StreamMessage } from '../generated/danube/DanubeApi.js';
import { backoffDelay, Deadline, sleep } from './backoff.js';
import type { BrokerConnection } from './connection-pool.js';
import type { ClientContext } from './context.js';
import { ClientClosedError, DanubeError, RETRYABLE_CODES, Status, TimeoutError, toDanubeError } from './errors.js';
import { establish } from './establish.js';
import { HealthCheckLoop } from './health-check.js';
import type { ReceiveHandle } from './hot-calls.js';
import type { BrokerAddress } from './lookup.js';
import { toDanubeMessage, type DanubeMessage } from './message.js';
import { callDeadline, unary } from './rpc.js';
import { SettleBodyEncoder } from './settle-body.js';
import { SettleOp } from './settle-op.js';

/** What a partition consumer hands its messages to and reports fatal failures to. */
export interface MessageSink {
  deliver(partition: PartitionConsumer, message: DanubeMessage): void;
  fail(error: DanubeError): void;
}

export interface PartitionSubscription {
  subscription: string;
  consumerName: string;
  type: ConsumerRequest_SubscriptionType;
  keyFilters: string[];
  reliable: boolean;
  healthCheckIntervalMs: number;
}

/**
 * The consumer of one partition topic: Subscribe, the ReceiveMessages stream, acks, and
 * resubscribing by the same consumer name whenever the stream ends, the broker answers CLOSE,
 * or the broker restarts (the broker then hands over the old consumer's unacked messages).
 */
export class PartitionConsumer {
  consumerId = 0n;
  private connection!: BrokerConnection;
  private address: BrokerAddress | undefined;
  private metadata: Metadata | undefined;
  private stream: ReceiveHandle | undefined;
  private paused = false;
  private closed = false;
  private resubscribing: Promise<void> | undefined;
  /**
   * Since when (ms since epoch) no receive stream has been open after a successful Subscribe;
   * undefined while one is. Messages published meanwhile on non-reliable topics are lost to us.
   */
  private detachedAt: number | undefined = Date.now();
  private requestId = 0n;
  private readonly health: HealthCheckLoop;
  /** Reliable only: offset → request id of messages delivered to us and not yet acked or nacked. */
  private readonly unacked: Map<bigint, bigint> | undefined;
  /**
   * Reliable only, after a resubscribe: the messages the broker will send again but we already
   * have. Matched on offset and request id, so a topic that is not reliable after all (offsets
   * all 0) does not lose messages to it.
   */
  private duplicates: Map<bigint, bigint> | undefined;
  /** Encodes this partition's acks and nacks for the lean transport (subscription name once). */
  readonly settleEncoder: SettleBodyEncoder;

  constructor(
    private readonly ctx: ClientContext,
    readonly topic: string,
    private readonly logicalTopic: string,
    private readonly sub: PartitionSubscription,
    private readonly sink: MessageSink,
  ) {
    this.unacked = sub.reliable ? new Map() : undefined;
    this.settleEncoder = new SettleBodyEncoder(sub.subscription);
    this.health = new HealthCheckLoop(
      'consumer',
      sub.healthCheckIntervalMs,
      () => (this.address && !this.resubscribing ? { connection: this.connection, metadata: this.callMetadata(), id: this.consumerId } : undefined),
      () => this.resubscribe('health check answered CLOSE'),
      ctx.logger,
    );
  }

  /** A receive stream is open after a successful Subscribe and has not ended, failed or been closed. */
  get attached(): boolean {
    return this.detachedAt === undefined;
  }

  /** Since when (ms since epoch) this partition has not been attached; undefined while attached. */
  get detachedSince(): number | undefined {
    return this.detachedAt;
  }

  /** Keeps the first moment of an outage: a failed resubscribe does not restart the clock. */
  private markDetached(): void {
    this.detachedAt ??= Date.now();
  }

  /** Lookup → Subscribe (retrying retryable statuses with fresh lookups), then starts receiving. */
  async start(deadline: Deadline): Promise<void> {
    await this.subscribe(deadline);
    // Awaited so that a consumer handed to the caller is already attached.
    await this.openStream();
    this.health.start();
  }

  private async subscribe(deadline: Deadline): Promise<void> {
    const via = this.address?.connectUrl ?? this.ctx.options.serviceUrl;
    const { result, address } = await establish(this.ctx, this.topic, 'subscribe', deadline, via, async (addr) => {
      const connection = this.ctx.pool.get(addr.connectUrl);
      const metadata = await this.ctx.auth.metadata(addr.proxy ? addr.brokerUrl : undefined);
      const request = {
        requestId: ++this.requestId,
        topicName: this.topic,
        consumerName: this.sub.consumerName,
        subscription: this.sub.subscription,
        subscriptionType: this.sub.type,
        keyFilters: this.sub.keyFilters,
      };
      return unary<ConsumerResponse>((cb) => connection.consumer.subscribe(request, metadata, { deadline: callDeadline(deadline) }, cb));
    });
    this.address = address;
    this.connection = this.ctx.pool.get(address.connectUrl);
    this.metadata = this.ctx.auth.dynamic ? undefined : (this.ctx.auth.metadata(address.proxy ? address.brokerUrl : undefined) as Metadata);
    this.consumerId = result.consumerId;
  }

  private callMetadata(): Metadata | Promise<Metadata> {
    return this.metadata ?? this.ctx.auth.metadata(this.address?.proxy ? this.address.brokerUrl : undefined);
  }

  /** Never rejects: a failure to open goes to the sink. */
  private openStream(): Promise<void> {
    return Promise.resolve(this.callMetadata()).then(
      (metadata) => {
        if (this.closed) return;
        let stream: ReceiveHandle | undefined;
        try {
          stream = this.connection.hot.receive({ requestId: ++this.requestId, consumerId: this.consumerId }, metadata, {
            onMessage: (message) => this.onMessage(message),
            onEnd: (err) => this.onStreamEnd(stream!, err),
          });
        } catch (err) {
          // Both transports throw synchronously on a channel that was closed meanwhile.
          if (!this.closed && !this.ctx.signal.aborted) this.sink.fail(toDanubeError(err, 'receive', this.topic));
          return;
        }
        this.stream = stream;
        this.detachedAt = undefined;
        if (this.paused) stream.pause();
      },
      (err) => this.sink.fail(toDanubeError(err, 'token supplier', this.topic)),
    );
  }

  private onMessage(message: StreamMessage): void {
    const delivered = toDanubeMessage(message, this.topic, this.logicalTopic);
    if (this.unacked) {
      const offset = delivered.offset;
      const duplicates = this.duplicates;
      if (duplicates !== undefined && duplicates.get(offset) === delivered.requestId) {
        duplicates.delete(offset); // already buffered or handed out before the resubscribe
        this.ctx.logger.debug({ topic: this.topic, offset }, 'skipped a message redelivered after resubscribe');
        return;
      }
      this.unacked.set(offset, delivered.requestId);
    }
    this.sink.deliver(this, delivered);
  }

  private onStreamEnd(stream: ReceiveHandle, err: ServiceError | undefined): void {
    if (stream !== this.stream) return;
    this.stream = undefined;
    this.markDetached();
    if (this.closed) return;
    // Refused by the broker's authentication or RBAC (ReceiveMessages needs Consume at cluster
    // scope): subscribing again would succeed and be refused again, in a tight loop.
    if (err && (err.code === Status.PERMISSION_DENIED || err.code === Status.UNAUTHENTICATED)) {
      this.sink.fail(toDanubeError(err, 'receive', this.topic));
      return;
    }
    this.resubscribe(err ? `receive stream failed: ${err.details || err.message}` : 'receive stream ended');
  }

  private detachStream(): void {
    const stream = this.stream;
    this.stream = undefined;
    this.markDetached();
    stream?.cancel();
  }

  /** Subscribes again by the same consumer name until it works, the consumer closes, or a fatal error. */
  resubscribe(reason: string): void {
    if (this.closed || this.resubscribing) return;
    this.ctx.logger.info({ topic: this.topic, consumer: this.sub.consumerName, reason }, 'resubscribing');
    this.detachStream();
    this.resubscribing = this.resubscribeLoop().finally(() => {
      this.resubscribing = undefined;
    });
  }

  private async resubscribeLoop(): Promise<void> {
    const { retry, connectTimeoutMs } = this.ctx.options;
    for (let failures = 0; !this.closed; failures++) {
      try {
        await this.subscribe(new Deadline(connectTimeoutMs, 'resubscribe', this.topic));
        if (this.closed) return;
        if (this.unacked?.size) this.duplicates = new Map(this.unacked);
        await this.openStream();
        return;
      } catch (err) {
        const error = toDanubeError(err, 'resubscribe', this.topic);
        // NOT_FOUND: a restarted broker may not have the topic back yet; keep trying.
        const transient = error.retryable || error.code === Status.NOT_FOUND || error.code === Status.UNKNOWN;
        if (this.closed || error instanceof ClientClosedError) return;
        if (!transient) return this.sink.fail(error);
        this.ctx.logger.warn({ topic: this.topic, err: error.message }, 'resubscribe failed; will retry');
        await sleep(backoffDelay(Math.min(failures, 25), retry), this.ctx.signal).catch(() => undefined);
      }
    }
  }

  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.stream?.resume();
  }

  /** Acks `message` with our own subscription name and its untouched msg_id. */
  ack(message: DanubeMessage): Promise<void> {
    this.unacked?.delete(message.offset);
    this.duplicates?.delete(message.offset);
    const request: AckRequest = { requestId: message.requestId, msgId: message.msgId, subscriptionName: this.sub.subscription };
    return this.settle(request, false);
  }

  nack(message: DanubeMessage, delayMs: number | undefined, reason: string | undefined): Promise<void> {
    this.unacked?.delete(message.offset);
    this.duplicates?.delete(message.offset);
    const request: NackRequest = {
      requestId: message.requestId,
      msgId: message.msgId,
      subscriptionName: this.sub.subscription,
      delayMs: delayMs !== undefined ? BigInt(Math.max(0, Math.round(delayMs))) : undefined,
      reason,
    };
    return this.settle(request, true);
  }

  /** One call, then (only if it failed with a retryable status) retries with backoff. */
  private settle(request: AckRequest | NackRequest, nack: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const op = new SettleOp(request, nack, Date.now() + this.ctx.options.requestTimeoutMs, resolve, reject);
      const metadata = this.metadata;
      if (metadata) this.startSettle(op, metadata);
      else this.retrySettle(op, undefined);
    });
  }

  /** Starts one attempt of `op` under the client's deadline sweeper. */
  private startSettle(op: SettleOp, metadata: Metadata): void {
    try {
      op.call = this.connection.hot.settle(op.request, op.nack, this.settleEncoder, metadata, this.onSettleEnd, op);
      this.ctx.sweeper.watch(op.call, op.deadline);
    } catch (err) {
      // Both transports throw synchronously on a channel that was closed meanwhile.
      this.onSettleEnd(err as ServiceError, op);
    }
  }

  /** One function for every ack's end (no closure per ack); the operation is its context. */
  private readonly onSettleEnd = (err: ServiceError | null, op: SettleOp): void => {
    if (op.call) this.ctx.sweeper.unwatch(op.call);
    op.call = undefined;
    if (!err) return op.resolve();
    this.retrySettle(op, err);
  };

  private retrySettle(op: SettleOp, error: ServiceError | undefined): void {
    this.settleSlowly(op, error).then(
      (metadata) => this.startSettle(op, metadata),
      (err: unknown) => op.reject(err),
    );
  }

  /** Waits out the backoff after `error` (none before a first attempt); rejects when giving up. */
  private async settleSlowly(op: SettleOp, error: ServiceError | undefined): Promise<Metadata> {
    const operation = op.nack ? 'nack' : 'ack';
    if (error !== undefined) {
      if (Date.now() >= op.deadline) {
        throw new TimeoutError(`${operation} on ${this.topic} did not finish within ${this.ctx.options.requestTimeoutMs} ms; last error: ${error.message}`, {
          topic: this.topic,
          cause: error,
        });
      }
      const failures = op.failures++;
      if (this.closed || !RETRYABLE_CODES.has(error.code) || failures >= this.ctx.options.retry.maxRetries) {
        throw toDanubeError(error, operation, this.topic);
      }
      await sleep(Math.min(backoffDelay(failures, this.ctx.options.retry), Math.max(0, op.deadline - Date.now())), this.ctx.signal);
    }
    try {
      return this.metadata ?? (await this.callMetadata());
    } catch (err) {
      throw toDanubeError(err, 'token supplier', this.topic);
    }
  }

  close(): void {
    this.closed = true;
    this.health.stop();
    this.detachStream();
  }
}
