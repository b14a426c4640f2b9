import type { ServerWritableStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { ReceiveRequest, StreamMessage } from '../generated/danube/DanubeApi.js';
import type { ConsumerHost } from './dispatch/parts.js';

/** The real broker's per-consumer channel capacity: non-reliable messages beyond it are dropped. */
export const CONSUMER_BUFFER_SLOTS = 4;

export type MessageStream = ServerWritableStream<ReceiveRequest, StreamMessage>;

/**
 * One consumer of a subscription. It outlives its ReceiveMessages stream: a
 * client reconnects by subscribing again with the same name (takeover) and
 * opening a new stream for the same id.
 */
export class Consumer {
  stream: MessageStream | null = null;
  /** What HealthCheck reports: set on subscribe and receive, cleared when the stream goes. */
  active = true;
  /** Messages handed to gRPC whose write has not completed yet. */
  pendingWrites = 0;
  private readonly onWritten = (): void => {
    this.pendingWrites--;
  };

  constructor(
    readonly id: bigint,
    readonly name: string,
    readonly subscription: ConsumerHost<Consumer>,
    readonly node: number,
    readonly keyFilters: readonly string[],
  ) {}

  get attached(): boolean {
    return this.stream !== null;
  }

  /** True when a non-reliable message may be written without exceeding the buffer. */
  get hasRoom(): boolean {
    return this.stream !== null && this.pendingWrites < CONSUMER_BUFFER_SLOTS;
  }

  write(msg: StreamMessage): boolean {
    const stream = this.stream;
    if (stream === null) return false;
    this.pendingWrites++;
    stream.write(msg, this.onWritten);
    return true;
  }

  /** Binds a new stream; a previous one is cancelled (takeover). */
  attach(stream: MessageStream): void {
    this.endStream(status.CANCELLED, 'consumer stream replaced by a newer one');
    this.stream = stream;
    this.pendingWrites = 0;
    this.active = true;
    this.subscription.onConsumerAttached(this);
  }

  /** Called when the client side of `stream` went away. */
  detach(stream: MessageStream): void {
    if (this.stream !== stream) return;
    this.stream = null;
    this.active = false;
    this.subscription.onConsumerDetached(this);
  }

  /** Ends the current stream with a status (takeover, fault injection, shutdown). */
  endStream(code: status, details: string): void {
    const stream = this.stream;
    if (!stream) return;
    this.stream = null;
    this.active = false;
    try {
      stream.emit('error', { code, details, message: details });
    } catch {
      // The stream may already be finished; nothing more to end.
    }
    this.subscription.onConsumerDetached(this);
  }
}
