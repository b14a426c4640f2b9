import type { Socket } from 'node:net';
import { FrameReader } from './frame-reader.js';
import {
  DEFAULT_MAX_FRAME,
  DEFAULT_WINDOW,
  ErrorCode,
  Flag,
  FRAME_HEADER_BYTES,
  FrameType,
  goawayFrame,
  MAX_STREAM_ID,
  MAX_WINDOW,
  pingFrame,
  PREFACE,
  rstStreamFrame,
  Setting,
  SETTINGS_ACK,
  settingsFrame,
  windowUpdateFrame,
  writeFrameHeader,
} from './frames.js';
import { HpackDecoder } from './hpack.js';
import { KeepAlive, type KeepAliveOptions } from './keepalive.js';
import { OutBuffer } from './out-buffer.js';
import { H2Stream, type BodyWriter, type StreamListener } from './stream.js';

/** What we announce: a large receive window (responses never wait on us) and no server push. */
const LOCAL_WINDOW = 4 * 1024 * 1024;
const LOCAL_CONNECTION_WINDOW = 16 * 1024 * 1024;
const LOCAL_MAX_FRAME = 1024 * 1024;
const HEADER_TABLE = 4096;
const GRPC_PREFIX_BYTES = 5;

export interface ConnectionEvents {
  /** No new streams may start here any more (GOAWAY received, ids used up, or closing). */
  onDraining(connection: H2Connection): void;
  /** The socket is gone; `error` when it failed rather than closed cleanly. */
  onClosed(connection: H2Connection, error: string | undefined): void;
  /** The connection answered its first frame: the peer speaks HTTP/2 here. */
  onReady(connection: H2Connection): void;
}

/**
 * One HTTP/2 connection, client side, speaking just what unary gRPC calls need: requests as one
 * HEADERS frame (a header block prepared once) and DATA frames; responses as header blocks and
 * DATA. Frames of every call started in one tick go out in one socket write. Flow control,
 * SETTINGS, PING, GOAWAY, RST_STREAM and CONTINUATION are honoured; server push is refused.
 */
export class H2Connection {
  private readonly streams = new Map<number, H2Stream>();
  private readonly reader: FrameReader;
  private readonly decoder = new HpackDecoder(HEADER_TABLE);
  private readonly out: OutBuffer;
  private readonly keepAlive: KeepAlive;
  private nextId = 1;
  private peerMaxStreams = Infinity;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = DEFAULT_MAX_FRAME;
  private sendWindow = DEFAULT_WINDOW;
  private recvUnacked = 0;
  /** Streams waiting for the peer's concurrency limit or for flow-control credit. */
  private readonly blocked: H2Stream[] = [];
  private readonly waiting: Array<{ stream: H2Stream; block: Buffer; body: Buffer }> = [];
  // A header block split over CONTINUATION frames.
  private partial: { streamId: number; flags: number; chunks: Buffer[] } | undefined;
  private currentListener: StreamListener | undefined;
  private readonly sink = (name: string, value: string): void => this.currentListener?.onHeader(name, value);
  private ready = false;
  /** Whether the broker ever answered on this connection (false: the attempt to connect failed). */
  get wasReady(): boolean {
    return this.ready;
  }
  draining = false;
  closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly events: ConnectionEvents,
    keepAlive: KeepAliveOptions,
  ) {
    this.out = new OutBuffer(socket);
    this.reader = new FrameReader(LOCAL_MAX_FRAME, (type, flags, id, buf, start, end) => this.onFrame(type, flags, id, buf, start, end));
    this.keepAlive = new KeepAlive(keepAlive, {
      ping: (payload) => this.out.push(pingFrame(payload, false)),
      active: () => this.streams.size > 0,
      dead: () => this.destroy('keepalive ping not answered in time'),
    });
    socket.setNoDelay?.(true);
    this.out.push(PREFACE);
    this.out.push(
      settingsFrame([
        [Setting.ENABLE_PUSH, 0],
        [Setting.INITIAL_WINDOW_SIZE, LOCAL_WINDOW],
        [Setting.MAX_FRAME_SIZE, LOCAL_MAX_FRAME],
        [Setting.HEADER_TABLE_SIZE, HEADER_TABLE],
      ]),
    );
    this.out.push(windowUpdateFrame(0, LOCAL_CONNECTION_WINDOW - DEFAULT_WINDOW));
    socket.on('data', (chunk: Buffer) => this.onChunk(chunk));
    socket.on('error', (err: Error) => this.destroy(err.message));
    socket.on('close', () => this.destroy('connection closed by the broker'));
    socket.unref();
  }

  /** Streams open or waiting on this connection. */
  get activeStreams(): number {
    return this.streams.size;
  }

  /** Whether a new stream may start here. */
  get usable(): boolean {
    return !this.draining && !this.closed;
  }

  /**
   * Starts a request: `block` is its whole header block, `body` the gRPC message (the 5-byte
   * gRPC prefix is added here). Returns the stream id; the listener hears the rest.
   */
  request(block: Buffer, body: Uint8Array | BodyWriter, listener: StreamListener): number {
    const id = this.nextId;
    this.nextId += 2;
    if (this.nextId > MAX_STREAM_ID) this.drain();
    const stream = new H2Stream(id, listener, this.peerInitialWindow);
    this.streams.set(id, stream);
    if (this.streams.size === 1) {
      this.socket.ref();
      this.keepAlive.activity();
    }
    if (this.streams.size - this.waiting.length > this.peerMaxStreams) {
      // Over the peer's concurrency limit: it starts when another stream ends.
      this.waiting.push({ stream, block, body: materialize(body) });
      return id;
    }
    this.send(stream, block, body);
    return id;
  }

  private send(stream: H2Stream, block: Buffer, body: Uint8Array | BodyWriter): void {
    const out = this.out;
    const length = GRPC_PREFIX_BYTES + bodyLength(body);
    this.writeHeaders(stream.id, block);
    if (length <= stream.sendWindow && length <= this.sendWindow && length <= this.peerMaxFrame) {
      // The common case: the whole message in one DATA frame, written straight into the output.
      const at = out.reserve(FRAME_HEADER_BYTES + length);
      const buf = out.buffer;
      writeFrameHeader(buf, at, length, FrameType.DATA, Flag.END_STREAM, stream.id);
      writePrefix(buf, at + FRAME_HEADER_BYTES, length - GRPC_PREFIX_BYTES);
      writeBody(body, buf, at + FRAME_HEADER_BYTES + GRPC_PREFIX_BYTES);
      stream.sendWindow -= length;
      this.sendWindow -= length;
      stream.halfClosed = true;
      return;
    }
    const whole = Buffer.allocUnsafe(length);
    writePrefix(whole, 0, length - GRPC_PREFIX_BYTES);
    writeBody(body, whole, GRPC_PREFIX_BYTES);
    stream.pending = whole;
    stream.pendingAt = 0;
    this.pump(stream);
  }

  private writeHeaders(id: number, block: Buffer): void {
    const out = this.out;
    let offset = 0;
    let first = true;
    // A header block larger than the peer's frame size continues in CONTINUATION frames.
    do {
      const size = Math.min(block.length - offset, this.peerMaxFrame);
      const last = offset + size === block.length;
      const at = out.reserve(FRAME_HEADER_BYTES + size);
      writeFrameHeader(out.buffer, at, size, first ? FrameType.HEADERS : FrameType.CONTINUATION, last ? Flag.END_HEADERS : 0, id);
      block.copy(out.buffer, at + FRAME_HEADER_BYTES, offset, offset + size);
      offset += size;
      first = false;
    } while (offset < block.length);
  }

  /** Sends as much of a stream's waiting body as flow control allows. */
  private pump(stream: H2Stream): void {
    const pending = stream.pending!;
    while (stream.pendingAt < pending.length) {
      const size = Math.min(pending.length - stream.pendingAt, stream.sendWindow, this.sendWindow, this.peerMaxFrame);
      if (size <= 0) {
        if (!this.blocked.includes(stream)) this.blocked.push(stream);
        return;
      }
      const last = stream.pendingAt + size === pending.length;
      const at = this.out.reserve(FRAME_HEADER_BYTES + size);
      writeFrameHeader(this.out.buffer, at, size, FrameType.DATA, last ? Flag.END_STREAM : 0, stream.id);
      pending.copy(this.out.buffer, at + FRAME_HEADER_BYTES, stream.pendingAt, stream.pendingAt + size);
      stream.pendingAt += size;
      stream.sendWindow -= size;
      this.sendWindow -= size;
    }
    stream.pending = undefined;
    stream.halfClosed = true;
  }

  private unblock(): void {
    if (this.blocked.length === 0) return;
    const streams = this.blocked.splice(0);
    for (const s of streams) if (this.streams.get(s.id) === s && s.pending) this.pump(s);
  }

  /** Resets one stream (the caller gave up on it); its listener hears nothing more. */
  cancel(id: number): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    this.forget(stream);
    if (!this.closed) this.out.push(rstStreamFrame(id, ErrorCode.CANCEL));
  }

  private forget(stream: H2Stream): void {
    this.streams.delete(stream.id);
    const w = this.waiting.findIndex((x) => x.stream === stream);
    if (w >= 0) this.waiting.splice(w, 1);
    else if (this.waiting.length > 0 && this.streams.size - this.waiting.length < this.peerMaxStreams) {
      const next = this.waiting.shift()!;
      this.send(next.stream, next.block, next.body);
    }
    if (this.streams.size === 0) {
      if (!this.closed) this.socket.unref();
      if (this.draining) this.finish();
    }
  }

  private onChunk(chunk: Buffer): void {
    try {
      this.reader.push(chunk);
    } catch (err) {
      this.fail(ErrorCode.PROTOCOL_ERROR, (err as Error).message);
    }
  }

  private onFrame(type: number, flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (!this.ready) {
      this.ready = true;
      this.events.onReady(this);
    }
    if (this.partial && type !== FrameType.CONTINUATION) throw new Error('HTTP/2: expected CONTINUATION');
    switch (type) {
      case FrameType.DATA:
        return this.onData(flags, id, buf, start, end);
      case FrameType.HEADERS:
        return this.onHeaders(flags, id, buf, start, end);
      case FrameType.CONTINUATION:
        return this.onContinuation(flags, id, buf, start, end);
      case FrameType.RST_STREAM: {
        const stream = this.streams.get(id);
        if (!stream) return;
        this.forget(stream);
        return stream.listener.onReset(buf.readUInt32BE(start));
      }
      case FrameType.SETTINGS:
        if (!(flags & Flag.ACK)) this.onSettings(buf, start, end);
        return;
      case FrameType.PING:
        if (flags & Flag.ACK) this.keepAlive.answered();
        else this.out.push(pingFrame(buf.subarray(start, end), true));
        return;
      case FrameType.GOAWAY:
        return this.onGoaway(buf.readUInt32BE(start) & 0x7fffffff, buf.readUInt32BE(start + 4));
      case FrameType.WINDOW_UPDATE: {
        const increment = buf.readUInt32BE(start) & 0x7fffffff;
        if (id === 0) this.sendWindow += increment;
        else {
          const stream = this.streams.get(id);
          if (stream) stream.sendWindow += increment;
        }
        if (this.sendWindow > MAX_WINDOW) throw new Error('HTTP/2: flow-control window overflow');
        return this.unblock();
      }
      case FrameType.PUSH_PROMISE:
        throw new Error('HTTP/2: PUSH_PROMISE although push is disabled');
      default:
        // PRIORITY and unknown frame types carry nothing a client must act on.
        return;
    }
  }

  private onData(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    // Flow control counts the whole payload, padding included.
    this.recvUnacked += end - start;
    if (this.recvUnacked >= LOCAL_CONNECTION_WINDOW / 2) {
      this.out.push(windowUpdateFrame(0, this.recvUnacked));
      this.recvUnacked = 0;
    }
    const stream = this.streams.get(id);
    if (!stream) return;
    stream.unacked += end - start;
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (!endStream && stream.unacked >= LOCAL_WINDOW / 2) {
      this.out.push(windowUpdateFrame(id, stream.unacked));
      stream.unacked = 0;
    }
    if (flags & Flag.PADDED) end -= buf[start++]!;
    if (endStream) this.forget(stream);
    stream.listener.onData(buf, start, end, endStream);
  }

  private onHeaders(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (flags & Flag.PADDED) end -= buf[start++]!;
    if (flags & Flag.PRIORITY) start += 5;
    if (!(flags & Flag.END_HEADERS)) {
      this.partial = { streamId: id, flags, chunks: [Buffer.from(buf.subarray(start, end))] };
      return;
    }
    this.headerBlock(id, flags, buf.subarray(start, end));
  }

  private onContinuation(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    const partial = this.partial;
    if (!partial || partial.streamId !== id) throw new Error('HTTP/2: unexpected CONTINUATION');
    partial.chunks.push(Buffer.from(buf.subarray(start, end)));
    if (!(flags & Flag.END_HEADERS)) return;
    this.partial = undefined;
    this.headerBlock(id, partial.flags, Buffer.concat(partial.chunks));
  }

  private headerBlock(id: number, flags: number, block: Buffer): void {
    const stream = this.streams.get(id);
    // Decoded even for a stream we reset: the decoder's table must follow every block.
    this.currentListener = stream?.listener;
    try {
      this.decoder.decode(block, this.sink);
    } catch (err) {
      this.currentListener = undefined;
      return this.fail(ErrorCode.COMPRESSION_ERROR, (err as Error).message);
    }
    this.currentListener = undefined;
    if (!stream) return;
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (endStream) this.forget(stream);
    stream.listener.onHeadersEnd(endStream);
  }

  private onSettings(buf: Buffer, start: number, end: number): void {
    for (let p = start; p + 6 <= end; p += 6) {
      const value = buf.readUInt32BE(p + 2);
      switch (buf.readUInt16BE(p)) {
        case Setting.MAX_CONCURRENT_STREAMS:
          this.peerMaxStreams = value;
          break;
        case Setting.INITIAL_WINDOW_SIZE: {
          if (value > MAX_WINDOW) throw new Error('HTTP/2: initial window too large');
          const delta = value - this.peerInitialWindow;
          this.peerInitialWindow = value;
          for (const s of this.streams.values()) s.sendWindow += delta;
          break;
        }
        case Setting.MAX_FRAME_SIZE:
          this.peerMaxFrame = value;
          break;
        default:
          // HEADER_TABLE_SIZE bounds an encoder's dynamic table; ours never adds to it.
          break;
      }
    }
    this.out.push(SETTINGS_ACK);
    this.unblock();
    while (this.waiting.length > 0 && this.streams.size - this.waiting.length < this.peerMaxStreams) {
      const next = this.waiting.shift()!;
      this.send(next.stream, next.block, next.body);
    }
  }

  private onGoaway(lastStreamId: number, code: number): void {
    this.drain();
    // Streams after the last one the broker will process never reached it: safe to retry.
    for (const stream of [...this.streams.values()]) {
      if (stream.id > lastStreamId) {
        this.forget(stream);
        stream.listener.onConnectionLost(`the broker is going away (GOAWAY, code ${code})`, true);
      }
    }
    if (this.streams.size === 0) this.finish();
  }

  /** No new streams; the socket closes once the open ones ended. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    this.events.onDraining(this);
  }

  /** Graceful close: tells the broker, lets open streams finish, then ends the socket. */
  close(): void {
    if (this.closed) return;
    this.drain();
    if (this.streams.size === 0) this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.out.push(goawayFrame(0, ErrorCode.NO_ERROR));
    this.out.flushNow();
    this.socket.end();
    this.destroy(undefined);
  }

  private fail(code: ErrorCode, reason: string): void {
    if (!this.closed) {
      this.out.push(goawayFrame(0, code));
      this.out.flushNow();
    }
    this.destroy(`HTTP/2 protocol error: ${reason}`);
  }

  /** Closes the socket at once; open streams hear `reason` (a lost connection). */
  destroy(reason: string | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.draining = true;
    this.keepAlive.stop();
    this.socket.destroy();
    const streams = [...this.streams.values()];
    this.streams.clear();
    this.waiting.length = 0;
    for (const s of streams) s.listener.onConnectionLost(reason ?? 'connection closed', !this.ready);
    this.events.onClosed(this, reason);
  }
}

function bodyLength(body: Uint8Array | BodyWriter): number {
  return body instanceof Uint8Array ? body.length : body.byteLength;
}

function writeBody(body: Uint8Array | BodyWriter, target: Buffer, offset: number): void {
  if (body instanceof Uint8Array) target.set(body, offset);
  else body.writeTo(target, offset);
}

function materialize(body: Uint8Array | BodyWriter): Buffer {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.length);
  const buf = Buffer.allocUnsafe(body.byteLength);
  body.writeTo(buf, 0);
  return buf;
}

/** The gRPC length prefix: not compressed, then the message length (big-endian). */
function writePrefix(buf: Buffer, at: number, length: number): void {
  buf[at] = 0;
  buf.writeUInt32BE(length, at + 1);
}
