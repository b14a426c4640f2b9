import type { Metadata, ServiceError } from '@grpc/grpc-js';
import { DispatchStrategy, ProducerAccessMode, type ProducerResponse, type SchemaReference } from '../generated/danube/DanubeApi.js';
import { backoffDelay, Deadline } from './backoff.js';
import type { BrokerConnection } from './connection-pool.js';
import type { ClientContext } from './context.js';
import { ClientClosedError, DanubeError, RETRYABLE_CODES, Status, TimeoutError, toDanubeError } from './errors.js';
import { establish } from './establish.js';
import { HealthCheckLoop } from './health-check.js';
import type { BrokerAddress } from './lookup.js';
import type { PendingSend } from './pending-send.js';
import { callDeadline, unary } from './rpc.js';
import { SendPrefix } from './send-body.js';

/** Called when a send settles, so the producer can free its slot and start the next one. */
export type SendDone = (partition: PartitionProducer, pending: PendingSend) => void;

/**
 * The producer of one partition topic (or of a plain topic): its broker-side id, its connection,
 * sending with retries, and recreation when the broker forgets it.
 */
export class PartitionProducer {
  producerId = 0n;
  /**
   * What every message of this partition shares (msg_id, producer name, schema), encoded once;
   * rebuilt when the producer is re-created or the schema is resolved.
   */
  private prefix: SendPrefix;
  private schemaId: bigint | undefined;
  private schemaVersion: number | undefined;
  connection!: BrokerConnection;
  private address: BrokerAddress | undefined;
  private metadata: Metadata | undefined;
  private requestId = 0n;
  private createRequestId = 0n;
  private recreating: Promise<void> | undefined;
  private readonly health: HealthCheckLoop;
  closed = false;

  constructor(
    private readonly ctx: ClientContext,
    readonly topic: string,
    readonly name: string,
    private readonly dispatch: DispatchStrategy,
    private readonly schemaRef: SchemaReference | undefined,
    private readonly onDone: SendDone,
  ) {
    this.prefix = new SendPrefix({ producerId: 0n, topicName: topic, brokerAddr: '', topicOffset: 0n }, name, undefined, undefined);
    this.health = new HealthCheckLoop(
      'producer',
      ctx.options.healthCheckIntervalMs,
      () => (this.address && !this.recreating ? { connection: this.connection, metadata: this.callMetadata(), id: this.producerId } : undefined),
      () =>
        void this.recreate('health check answered CLOSE').catch((err: unknown) =>
          ctx.logger.warn({ topic, producer: name, err: (err as Error).message }, 'recreating the producer failed; the next send retries'),
        ),
      ctx.logger,
    );
  }

  nextRequestId(): bigint {
    return ++this.requestId;
  }

  /** Lookup → CreateProducer (retrying retryable statuses with fresh lookups) → health checks. */
  async create(deadline: Deadline): Promise<void> {
    const via = this.address?.connectUrl ?? this.ctx.options.serviceUrl;
    const { result, address } = await establish(this.ctx, this.topic, 'create producer', deadline, via, async (addr) => {
      const connection = this.ctx.pool.get(addr.connectUrl);
      const metadata = await this.ctx.auth.metadata(addr.proxy ? addr.brokerUrl : undefined);
      const request = {
        requestId: ++this.createRequestId,
        producerName: this.name,
        topicName: this.topic,
        schemaRef: this.schemaRef,
        // Exclusive producers are not enforced by the broker; the Rust and Go clients send Shared.
        producerAccessMode: ProducerAccessMode.Shared,
        dispatchStrategy: this.dispatch,
      };
      return unary<ProducerResponse>((cb) => connection.producer.createProducer(request, metadata, { deadline: callDeadline(deadline) }, cb));
    });
    this.address = address;
    this.connection = this.ctx.pool.get(address.connectUrl);
    this.metadata = this.ctx.auth.dynamic ? undefined : (this.ctx.auth.metadata(address.proxy ? address.brokerUrl : undefined) as Metadata);
    this.producerId = result.producerId;
    this.prefix = this.newPrefix(address.brokerUrl);
    this.health.start();
  }

  /** Every message from now on carries this schema id and version (resolved once by the producer). */
  useSchema(schemaId: bigint, version: number): void {
    this.schemaId = schemaId;
    this.schemaVersion = version;
    this.prefix = this.newPrefix(this.prefix.msgId.brokerAddr);
  }

  private newPrefix(brokerUrl: string): SendPrefix {
    const msgId = { producerId: this.producerId, topicName: this.topic, brokerAddr: brokerUrl, topicOffset: 0n };
    return new SendPrefix(msgId, this.name, this.schemaId, this.schemaVersion);
  }

  /**
   * Creates the producer again (same name, so the broker returns the existing id if it still has
   * it). One recreation at a time: concurrent callers share it.
   */
  recreate(reason: string): Promise<void> {
    if (this.closed) return Promise.reject(new ClientClosedError(`producer ${this.name} is closed`, { topic: this.topic, retryable: false }));
    if (!this.recreating) {
      this.ctx.logger.info({ topic: this.topic, producer: this.name, reason }, 'recreating producer');
      const deadline = new Deadline(this.ctx.options.connectTimeoutMs, 'recreate producer', this.topic);
      this.recreating = this.create(deadline).finally(() => {
        this.recreating = undefined;
      });
    }
    return this.recreating;
  }

  private callMetadata(): Metadata | Promise<Metadata> {
    return this.metadata ?? this.ctx.auth.metadata(this.address?.proxy ? this.address.brokerUrl : undefined);
  }

  /** Sends (or re-sends) one message; settles it through `onDone` when it is accepted or failed. */
  attempt(pending: PendingSend): void {
    pending.stage = 'attempted';
    // Aborted by the caller while queued or backing off: free the slot without sending.
    if (pending.settled) return this.onDone(this, pending);
    if (this.recreating) {
      this.recreating.then(
        () => this.attempt(pending),
        (err) => this.retryOrFail(pending, err),
      );
      return;
    }
    const metadata = this.metadata;
    if (metadata) this.call(pending, metadata);
    else {
      void Promise.resolve(this.callMetadata()).then(
        (md) => this.call(pending, md),
        (err) => this.fail(pending, toDanubeError(err, 'token supplier', this.topic)),
      );
    }
  }

  private call(pending: PendingSend, metadata: Metadata): void {
    try {
      if (pending.settled) return this.onDone(this, pending);
      // The current prefix: after a re-creation, retries carry the new producer id.
      const call = this.connection.hot.send(this.prefix, pending, metadata, this.onCallEnd, pending);
      pending.call = call;
      this.ctx.sweeper.watch(call, pending.deadlineAt);
    } catch (err) {
      // Both transports throw synchronously on a channel that was closed meanwhile.
      this.retryOrFail(pending, err);
    }
  }

  /** One function for every call's end (no closure per send); the pending send is its context. */
  private readonly onCallEnd = (err: ServiceError | null, pending: PendingSend): void => {
    this.ctx.sweeper.unwatch(pending.call!);
    pending.call = undefined;
    this.onResult(pending, err);
  };

  private onResult(pending: PendingSend, err: ServiceError | null): void {
    if (!err) {
      pending.settle({ topic: this.topic, requestId: pending.requestId });
      this.onDone(this, pending);
      return;
    }
    this.retryOrFail(pending, err);
  }

  private retryOrFail(pending: PendingSend, err: unknown): void {
    // Aborted by the caller: its promise is already rejected; only the slot is left to free.
    if (pending.settled) return this.onDone(this, pending);
    const code = (err as ServiceError).code;
    if (this.closed || this.ctx.signal.aborted) {
      return this.fail(pending, new ClientClosedError(`send on ${this.topic} aborted: producer closed`, { topic: this.topic, cause: err, retryable: false }));
    }
    const { retry } = this.ctx.options;
    if (Date.now() >= pending.deadlineAt) {
      return this.fail(
        pending,
        new TimeoutError(`send on ${this.topic} did not finish in time; last error: ${(err as Error).message}`, { topic: this.topic, cause: err }),
      );
    }
    // NOT_FOUND on SendMessage: the broker no longer knows our producer id (restart, topic moved).
    if (code === Status.NOT_FOUND && pending.recreations < retry.maxRetries) {
      pending.recreations++;
      this.recreate('broker does not know the producer').then(
        () => this.attempt(pending),
        (e) => this.retryOrFail(pending, e),
      );
      return;
    }
    const retryable = err instanceof DanubeError ? err.retryable : RETRYABLE_CODES.has(code);
    if (!retryable) return this.fail(pending, toDanubeError(err, 'send', this.topic));
    const failures = pending.failures++;
    const delay = Math.min(backoffDelay(failures % (retry.maxRetries + 1), retry), Math.max(0, pending.deadlineAt - Date.now()));
    pending.timer = setTimeout(() => {
      pending.timer = undefined;
      // After maxRetries in a row, look the topic up again and recreate, as the Rust client does.
      if (pending.failures % (retry.maxRetries + 1) === 0) {
        this.recreate('retries exhausted').then(
          () => this.attempt(pending),
          (e) => this.retryOrFail(pending, e),
        );
      } else this.attempt(pending);
    }, delay);
  }

  /**
   * The caller aborted `pending` (its promise is already rejected): stop what it is doing. A call
   * in flight is cancelled; a backoff is cut short. The slot is freed once the call has ended, so
   * in ordered mode the next message never overtakes one the broker may still be storing.
   */
  abandon(pending: PendingSend): void {
    if (pending.call) pending.call.cancel();
    else if (pending.timer) {
      clearTimeout(pending.timer);
      pending.timer = undefined;
      this.onDone(this, pending);
    }
    // Otherwise it waits on a recreation or on call metadata, whose continuation frees the slot.
  }

  private fail(pending: PendingSend, err: unknown): void {
    pending.settle(undefined, err);
    this.onDone(this, pending);
  }

  close(): void {
    this.closed = true;
    this.health.stop();
  }
}
