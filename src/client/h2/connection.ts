import type { Socket } from 'node:net';
import { FrameReader } from './frame-reader.js';
import {
  DEFAULT_WINDOW,
  ErrorCode,
  Flag,
  FrameType,
  goawayFrame,
  MAX_STREAM_ID,
  pingFrame,
  PREFACE,
  rstStreamFrame,
  Setting,
  SETTINGS_ACK,
  settingsFrame,
  windowUpdateFrame,
} from './frames.js';
import { HpackDecoder } from './hpack.js';
import { KeepAlive, type KeepAliveOptions } from './keepalive.js';
import { OutBuffer } from './out-buffer.js';
import { Sender } from './sender.js';
import { H2Stream, type BodyWriter, type StreamListener } from './stream.js';

// What we announce: large receive windows (answers never wait on us), no server push. The
// per-stream window also bounds what a paused receive stream holds (its back-pressure).
const LOCAL_WINDOW = 1024 * 1024;
const LOCAL_CONNECTION_WINDOW = 16 * 1024 * 1024;
const LOCAL_MAX_FRAME = 1024 * 1024;
const HEADER_TABLE = 4096;

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
  private readonly sender: Sender;
  private nextId = 1;
  private recvUnacked = 0;
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
    this.sender = new Sender(this.out);
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
    const stream = new H2Stream(id, listener, this.sender.initialWindow);
    this.streams.set(id, stream);
    if (this.streams.size === 1) {
      this.socket.ref();
      this.keepAlive.activity();
    }
    this.sender.start(stream, block, body);
    return id;
  }

  /** Pauses or resumes the peer's sending on one stream (see `H2Stream.hold`). */
  hold(id: number, hold: boolean): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    stream.hold = hold;
    if (!hold && stream.unacked >= LOCAL_WINDOW / 2 && !this.closed) {
      this.out.push(windowUpdateFrame(id, stream.unacked));
      stream.unacked = 0;
    }
  }

  /** Resets one stream (the caller gave up on it); its listener hears nothing more. */
  cancel(id: number): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    // A request still waiting for a stream slot never opened its stream: nothing to reset.
    const opened = stream.opened;
    this.forget(stream);
    if (opened && !this.closed) this.out.push(rstStreamFrame(id, ErrorCode.CANCEL));
  }

  private forget(stream: H2Stream): void {
    this.streams.delete(stream.id);
    this.sender.ended(stream);
    if (this.streams.size === 0) {
      if (!this.closed) this.socket.unref();
      if (this.draining) this.finish();
    }
  }

  private onChunk(chunk: Buffer): void {
    if (this.closed) return;
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
        const stream = id === 0 ? undefined : this.streams.get(id);
        if (id !== 0 && !stream) return;
        return this.sender.credit(stream, buf.readUInt32BE(start) & 0x7fffffff);
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
    if (!endStream && !stream.hold && stream.unacked >= LOCAL_WINDOW / 2) {
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
    for (let p = start; p + 6 <= end; p += 6) this.sender.setting(buf.readUInt16BE(p), buf.readUInt32BE(p + 2), this.streams.values());
    this.out.push(SETTINGS_ACK);
    this.sender.resume();
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
    this.destroy(undefined, true);
  }

  private fail(code: ErrorCode, reason: string): void {
    if (!this.closed) {
      this.out.push(goawayFrame(0, code));
      this.out.flushNow();
    }
    this.destroy(`HTTP/2 protocol error: ${reason}`);
  }

  /**
   * Closes the socket (at once, or after what was written when `graceful`); open streams hear
   * `reason` (a lost connection).
   */
  destroy(reason: string | undefined, graceful = false): void {
    if (this.closed) return;
    this.closed = true;
    this.draining = true;
    this.keepAlive.stop();
    if (graceful) {
      this.socket.end();
      // A broker that never closes its side does not keep the socket forever.
      setTimeout(() => this.socket.destroy(), 5_000).unref();
    } else this.socket.destroy();
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const s of streams) s.listener.onConnectionLost(reason ?? 'connection closed', !this.ready);
    this.events.onClosed(this, reason);
  }
}
