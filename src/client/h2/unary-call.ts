import { status } from '@grpc/grpc-js';
import type { H2Connection } from './connection.js';
import { CallError, decodeGrpcMessage, statusOfHttp, statusOfReset } from './status.js';
import type { StreamListener } from './stream.js';

/** Called once when a call ends: `error` null on status OK. `context` is what the caller passed. */
export type CallDone<C> = (error: CallError | null, context: C) => void;

/** Bound on a response message: hot-path answers are a few bytes; anything huge is a fault. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * One unary gRPC call on an HTTP/2 stream. The response message is not decoded: SendMessage,
 * Ack and Nack answer only an echo of the request id, and only the status matters. Cancel it
 * with `cancel()` (the caller then hears CANCELLED).
 */
export class UnaryCall<C> implements StreamListener {
  private httpStatus = 0;
  private grpcStatus = -1;
  private grpcMessage = '';
  private responseBytes = 0;
  private done: CallDone<C> | undefined;
  connection: H2Connection | undefined;
  streamId = 0;

  constructor(
    done: CallDone<C>,
    private readonly context: C,
  ) {
    this.done = done;
  }

  onHeader(name: string, value: string): void {
    // Only the fields that decide the outcome; the rest (content-type, ...) are not needed.
    if (name === ':status') this.httpStatus = Number(value);
    else if (name === 'grpc-status') this.grpcStatus = Number(value);
    else if (name === 'grpc-message') this.grpcMessage = value;
  }

  onHeadersEnd(endStream: boolean): void {
    if (!endStream) {
      if (this.httpStatus !== 200 && this.grpcStatus < 0) {
        this.finish(statusOfHttp(this.httpStatus), `the broker answered HTTP ${this.httpStatus}`, true);
      }
      return;
    }
    if (this.grpcStatus < 0) {
      const code = this.httpStatus === 200 ? status.UNKNOWN : statusOfHttp(this.httpStatus);
      return this.finish(code, `the response ended without a grpc-status (HTTP ${this.httpStatus})`, false);
    }
    this.finish(this.grpcStatus, decodeGrpcMessage(this.grpcMessage), false);
  }

  onData(_buf: Buffer, start: number, end: number, endStream: boolean): void {
    this.responseBytes += end - start;
    if (this.responseBytes > MAX_RESPONSE_BYTES) {
      return this.finish(status.RESOURCE_EXHAUSTED, `response larger than ${MAX_RESPONSE_BYTES} bytes`, true);
    }
    if (endStream) this.finish(status.INTERNAL, 'the response ended without trailers', false);
  }

  onReset(code: number): void {
    this.finish(statusOfReset(code), `stream reset by the broker (HTTP/2 error ${code})`, false);
  }

  onConnectionLost(reason: string): void {
    this.finish(status.UNAVAILABLE, reason, false);
  }

  /** Gives up on the call: the broker's stream is reset and the caller hears CANCELLED. */
  cancel(): void {
    this.finish(status.CANCELLED, 'Cancelled on client', true);
  }

  private finish(code: number, details: string, reset: boolean): void {
    const done = this.done;
    if (!done) return;
    this.done = undefined;
    if (reset) this.connection?.cancel(this.streamId);
    done(code === status.OK ? null : new CallError(code, details), this.context);
  }
}
