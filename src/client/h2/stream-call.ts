import { status } from '@grpc/grpc-js';
import type { H2Connection } from './connection.js';
import { CallError, decodeGrpcMessage, statusOfHttp, statusOfReset } from './status.js';
import type { StreamListener } from './stream.js';

/** What a server-streaming call hands its owner. */
export interface MessageListener {
  /** One whole gRPC message (valid as long as the owner keeps it: it is not reused). */
  onMessage(bytes: Buffer): void;
  /** The stream ended: `error` undefined on status OK. Not called after `cancel()`. */
  onEnd(error: CallError | undefined): void;
}

const PREFIX_BYTES = 5;
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/**
 * A server-streaming gRPC call (ReceiveMessages) on an HTTP/2 stream: cuts DATA into gRPC
 * messages (a message may span frames, a frame may hold many), holds them while paused and
 * stops crediting the stream's flow-control window meanwhile, so the broker stops sending.
 */
export class ServerStreamCall implements StreamListener {
  private httpStatus = 0;
  private grpcStatus = -1;
  private grpcMessage = '';
  private partial: Buffer | undefined;
  private held: Buffer[] = [];
  private paused = false;
  private ended = false;
  private endError: CallError | undefined;
  private finished = false;
  connection: H2Connection | undefined;
  streamId = 0;

  constructor(private readonly listener: MessageListener) {}

  onHeader(name: string, value: string): void {
    if (name === ':status') this.httpStatus = Number(value);
    else if (name === 'grpc-status') this.grpcStatus = Number(value);
    else if (name === 'grpc-message') this.grpcMessage = value;
  }

  onHeadersEnd(endStream: boolean): void {
    if (!endStream) {
      if (this.httpStatus !== 200 && this.grpcStatus < 0) {
        this.end(new CallError(statusOfHttp(this.httpStatus), `the broker answered HTTP ${this.httpStatus}`), true);
      }
      return;
    }
    if (this.grpcStatus < 0) {
      const code = this.httpStatus === 200 ? status.UNKNOWN : statusOfHttp(this.httpStatus);
      return this.end(new CallError(code, `the stream ended without a grpc-status (HTTP ${this.httpStatus})`), false);
    }
    this.end(this.grpcStatus === status.OK ? undefined : new CallError(this.grpcStatus, decodeGrpcMessage(this.grpcMessage)), false);
  }

  onData(buf: Buffer, start: number, end: number, endStream: boolean): void {
    let data = buf.subarray(start, end);
    if (this.partial) {
      data = Buffer.concat([this.partial, data]);
      this.partial = undefined;
    }
    let pos = 0;
    while (data.length - pos >= PREFIX_BYTES) {
      if (data[pos] !== 0) return this.end(new CallError(status.INTERNAL, 'compressed messages are not supported'), true);
      const length = data.readUInt32BE(pos + 1);
      if (length > MAX_MESSAGE_BYTES)
        return this.end(new CallError(status.RESOURCE_EXHAUSTED, `message of ${length} bytes exceeds ${MAX_MESSAGE_BYTES}`), true);
      const stop = pos + PREFIX_BYTES + length;
      if (stop > data.length) break;
      this.deliver(data.subarray(pos + PREFIX_BYTES, stop));
      pos = stop;
    }
    if (pos < data.length) this.partial = Buffer.from(data.subarray(pos));
    if (endStream) this.end(new CallError(status.INTERNAL, 'the stream ended without trailers'), false);
  }

  onReset(code: number): void {
    this.end(new CallError(statusOfReset(code), `stream reset by the broker (HTTP/2 error ${code})`), false);
  }

  onConnectionLost(reason: string): void {
    this.end(new CallError(status.UNAVAILABLE, reason), false);
  }

  private deliver(message: Buffer): void {
    if (this.finished) return;
    if (this.paused) this.held.push(message);
    else this.listener.onMessage(message);
  }

  pause(): void {
    if (this.paused || this.finished) return;
    this.paused = true;
    this.connection?.hold(this.streamId, true);
  }

  resume(): void {
    if (!this.paused || this.finished) return;
    this.paused = false;
    const held = this.held;
    this.held = [];
    for (let i = 0; i < held.length && !this.finished; i++) {
      // The owner may pause again while taking what was held: keep the rest.
      if (this.paused) {
        this.held.push(...held.slice(i));
        return;
      }
      this.listener.onMessage(held[i]!);
    }
    if (!this.paused) {
      this.connection?.hold(this.streamId, false);
      if (this.ended) this.report();
    }
  }

  /** Stops the stream; the owner hears nothing more. */
  cancel(): void {
    if (this.finished) return;
    this.finished = true;
    this.held = [];
    this.connection?.cancel(this.streamId);
  }

  private end(error: CallError | undefined, reset: boolean): void {
    if (this.ended || this.finished) return;
    this.ended = true;
    this.endError = error;
    if (reset) this.connection?.cancel(this.streamId);
    // Messages held while paused are still the owner's: the end waits until they were taken.
    if (!this.paused || this.held.length === 0) this.report();
  }

  private report(): void {
    if (this.finished) return;
    this.finished = true;
    this.listener.onEnd(this.endError);
  }
}
