import type { Metadata, ServiceError } from '@grpc/grpc-js';
import {
  ReceiveRequest,
  StreamMessage,
  type AckRequest,
  type ConsumerServiceClient,
  type NackRequest,
  type ProducerServiceClient,
} from '../generated/danube/DanubeApi.js';
import type { LeanChannel } from './h2/channel.js';
import type { MessageListener } from './h2/stream-call.js';
import type { BodyWriter } from './h2/stream.js';
import { SendBodyEncoder, toStreamMessage, type SendFields, type SendPrefix } from './send-body.js';
import { SettleBodyEncoder } from './settle-body.js';

/** Called once when a hot call ends (`error` null on OK), with the context it was started with. */
export type HotDone<C> = (error: ServiceError | null, context: C) => void;

/** A call in flight; `cancel()` ends it with CANCELLED (the deadline sweeper uses it). */
export interface Cancellable {
  cancel(): void;
}

/** What a receive stream hands its consumer. */
export interface ReceiveListener {
  onMessage(message: StreamMessage): void;
  /** The stream ended (`error` undefined when the broker ended it with OK); once, never after `cancel()`. */
  onEnd(error: ServiceError | undefined): void;
}

/** An open receive stream. */
export interface ReceiveHandle {
  /** Stops handing out messages; the broker is held back by flow control. */
  pause(): void;
  resume(): void;
  /** Ends the stream; its listener hears nothing more. */
  cancel(): void;
}

/**
 * The calls made once per message: SendMessage, Ack and Nack, and the ReceiveMessages stream
 * that delivers them. Two transports implement them: our own HTTP/2 client (`'lean'`, the
 * default) and @grpc/grpc-js (`'grpc-js'`); everything else (lookups, create, subscribe, health
 * checks, the registry) always goes through grpc-js. A client's sends and its receive streams
 * share one connection per broker either way, so a consumer's stream request reaches the broker
 * before the sends that follow it. `done` is never called from inside the starting call; a
 * closed channel throws instead, as grpc-js does.
 */
export interface HotCalls {
  receive(request: ReceiveRequest, metadata: Metadata, listener: ReceiveListener): ReceiveHandle;
  send<C>(prefix: SendPrefix, message: SendFields, metadata: Metadata, done: HotDone<C>, context: C): Cancellable;
  /** Ack or Nack; `encoder` belongs to the caller (it caches the subscription's encoded name). */
  settle<C>(request: AckRequest | NackRequest, nack: boolean, encoder: SettleBodyEncoder, metadata: Metadata, done: HotDone<C>, context: C): Cancellable;
  close(): void;
}

export type Transport = 'lean' | 'grpc-js';

const SEND_PATH = '/danube.ProducerService/SendMessage';
const ACK_PATH = '/danube.ConsumerService/Ack';
const NACK_PATH = '/danube.ConsumerService/Nack';
const RECEIVE_PATH = '/danube.ConsumerService/ReceiveMessages';

/** Hot calls on the generated @grpc/grpc-js stubs (one closure per call, as grpc-js requires). */
export class GrpcHotCalls implements HotCalls {
  constructor(
    private readonly producer: ProducerServiceClient,
    private readonly consumer: ConsumerServiceClient,
  ) {}

  receive(request: ReceiveRequest, metadata: Metadata, listener: ReceiveListener): ReceiveHandle {
    const stream = this.consumer.receiveMessages(request, metadata);
    let ended = false;
    const end = (error: ServiceError | undefined) => {
      if (ended) return;
      ended = true;
      listener.onEnd(error);
    };
    stream.on('data', (message: StreamMessage) => listener.onMessage(message));
    stream.on('error', (err: ServiceError) => end(err));
    stream.on('end', () => end(undefined));
    return {
      pause: () => stream.pause(),
      resume: () => stream.resume(),
      cancel: () => {
        ended = true;
        stream.removeAllListeners('data');
        // grpc-js reports the cancellation as an error event: swallowed.
        stream.on('error', () => undefined);
        stream.cancel();
      },
    };
  }

  send<C>(prefix: SendPrefix, message: SendFields, metadata: Metadata, done: HotDone<C>, context: C): Cancellable {
    return this.producer.sendMessage(toStreamMessage(prefix, message), metadata, (err) => done(err, context));
  }

  settle<C>(request: AckRequest | NackRequest, nack: boolean, _encoder: SettleBodyEncoder, metadata: Metadata, done: HotDone<C>, context: C): Cancellable {
    return nack
      ? this.consumer.nack(request as NackRequest, metadata, (err) => done(err, context))
      : this.consumer.ack(request, metadata, (err) => done(err, context));
  }

  close(): void {
    // The stubs share the pool's channel, which the pool closes.
  }
}

/**
 * Hot calls on our own HTTP/2 connection: requests are encoded straight into the connection's
 * output (no message objects, no intermediate buffers) and only the status of the answer is read.
 */
export class LeanHotCalls implements HotCalls {
  private readonly sendBody = new SendBody();

  constructor(private readonly channel: LeanChannel) {}

  receive(request: ReceiveRequest, metadata: Metadata, listener: ReceiveListener): ReceiveHandle {
    const body = ReceiveRequest.encode(request).finish();
    return this.channel.serverStream(this.channel.headerBlock(RECEIVE_PATH, metadata), body, new DecodingListener(listener));
  }

  send<C>(prefix: SendPrefix, message: SendFields, metadata: Metadata, done: HotDone<C>, context: C): Cancellable {
    const body = this.sendBody.prepare(prefix, message);
    return this.channel.unary(this.channel.headerBlock(SEND_PATH, metadata), body, done, context);
  }

  settle<C>(request: AckRequest | NackRequest, nack: boolean, encoder: SettleBodyEncoder, metadata: Metadata, done: HotDone<C>, context: C): Cancellable {
    return this.channel.unary(this.channel.headerBlock(nack ? NACK_PATH : ACK_PATH, metadata), encoder.prepare(request), done, context);
  }

  close(): void {
    this.channel.close();
  }
}

/** Decodes each message of a lean receive stream for its consumer. */
class DecodingListener implements MessageListener {
  constructor(private readonly listener: ReceiveListener) {}

  onMessage(bytes: Buffer): void {
    this.listener.onMessage(StreamMessage.decode(bytes));
  }

  onEnd(error: ServiceError | undefined): void {
    this.listener.onEnd(error);
  }
}

/** One reusable body writer: the connection reads it synchronously within `unary()`. */
class SendBody implements BodyWriter {
  private readonly encoder = new SendBodyEncoder();
  private prefix: SendPrefix | undefined;
  private message: SendFields | undefined;
  byteLength = 0;

  prepare(prefix: SendPrefix, message: SendFields): this {
    this.prefix = prefix;
    this.message = message;
    this.byteLength = this.encoder.size(prefix, message);
    return this;
  }

  writeTo(target: Buffer, offset: number): void {
    this.encoder.write(this.prefix!, this.message!, target, offset);
    this.prefix = undefined;
    this.message = undefined;
  }
}
