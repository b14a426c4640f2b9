/** What a stream's owner (a gRPC call) hears from the connection. */
export interface StreamListener {
  /** One decoded header field of the response headers or trailers. */
  onHeader(name: string, value: string): void;
  /** The end of a header block; `endStream` when it ended the stream (trailers, or trailers-only). */
  onHeadersEnd(endStream: boolean): void;
  /** Response bytes `buf[start, end)`; only valid during the call. */
  onData(buf: Buffer, start: number, end: number, endStream: boolean): void;
  /** The peer reset the stream (RST_STREAM) with an HTTP/2 error code. */
  onReset(code: number): void;
  /**
   * The connection failed or went away before the stream ended. `refused` is true when the
   * peer cannot have processed the request (GOAWAY named an older last stream, or it never left).
   */
  onConnectionLost(reason: string, refused: boolean): void;
}

/** Body bytes written straight into the connection's output, so a request is not copied twice. */
export interface BodyWriter {
  readonly byteLength: number;
  writeTo(target: Buffer, offset: number): void;
}

/** One open stream: its id, owner, and flow-control state. */
export class H2Stream {
  /** Bytes we may still send on this stream (the peer's window for it). */
  sendWindow: number;
  /** Received bytes not yet handed back to the peer with a WINDOW_UPDATE. */
  unacked = 0;
  /** Request bytes waiting for flow-control credit (large messages only), from `pendingAt`. */
  pending: Buffer | undefined;
  pendingAt = 0;
  /**
   * The owner is paused: received bytes are not handed back to the peer, so the peer stops
   * sending once the stream's window is used up (back-pressure for the receive stream).
   */
  hold = false;
  /** Its HEADERS went out (a request over the peer's stream limit waits unopened). */
  opened = false;

  constructor(
    readonly id: number,
    readonly listener: StreamListener,
    initialWindow: number,
  ) {
    this.sendWindow = initialWindow;
  }
}
