import { DEFAULT_MAX_FRAME, DEFAULT_WINDOW, Flag, FRAME_HEADER_BYTES, FrameType, MAX_WINDOW, Setting, writeFrameHeader } from './frames.js';
import type { OutBuffer } from './out-buffer.js';
import type { BodyWriter, H2Stream } from './stream.js';

const GRPC_PREFIX_BYTES = 5;

/**
 * The sending half of a connection: writes requests (HEADERS, then DATA) within what the peer
 * allows: its frame size, its flow-control windows (the connection's and each stream's) and its
 * limit on concurrent streams. What does not fit waits here and goes out as credit comes back.
 */
export class Sender {
  private maxFrame = DEFAULT_MAX_FRAME;
  private maxStreams = Infinity;
  private window = DEFAULT_WINDOW;
  /** What a new stream may send before the peer's first WINDOW_UPDATE for it. */
  initialWindow = DEFAULT_WINDOW;
  private open = 0;
  private readonly blocked: H2Stream[] = [];
  private readonly waiting: Array<{ stream: H2Stream; block: Buffer; body: Buffer }> = [];

  constructor(private readonly out: OutBuffer) {}

  /** Writes `stream`'s request now, or queues it while the peer's stream limit is reached. */
  start(stream: H2Stream, block: Buffer, body: Uint8Array | BodyWriter): void {
    if (this.open >= this.maxStreams) {
      this.waiting.push({ stream, block, body: materialize(body) });
      return;
    }
    this.open++;
    this.write(stream, block, body);
  }

  /** `stream` ended (or was reset): its slot may go to a waiting request. */
  ended(stream: H2Stream): void {
    const w = this.waiting.findIndex((x) => x.stream === stream);
    if (w >= 0) {
      this.waiting.splice(w, 1);
      return;
    }
    const b = this.blocked.indexOf(stream);
    if (b >= 0) this.blocked.splice(b, 1);
    this.open--;
    this.startWaiting();
  }

  /** Applies one of the peer's SETTINGS; `streams` are the open ones (their windows move with it). */
  setting(id: number, value: number, streams: Iterable<H2Stream>): void {
    if (id === Setting.MAX_CONCURRENT_STREAMS) this.maxStreams = value;
    else if (id === Setting.MAX_FRAME_SIZE) this.maxFrame = value;
    else if (id === Setting.INITIAL_WINDOW_SIZE) {
      if (value > MAX_WINDOW) throw new Error('HTTP/2: initial window too large');
      const delta = value - this.initialWindow;
      this.initialWindow = value;
      for (const s of streams) s.sendWindow += delta;
    }
    // HEADER_TABLE_SIZE bounds an encoder's dynamic table; ours never adds to it.
  }

  /** After SETTINGS or a WINDOW_UPDATE: sends what was waiting for credit or for a slot. */
  resume(): void {
    if (this.blocked.length > 0) {
      for (const s of this.blocked.splice(0)) if (s.pending) this.pump(s);
    }
    this.startWaiting();
  }

  /** WINDOW_UPDATE on the connection (stream 0) or on `stream`. */
  credit(stream: H2Stream | undefined, increment: number): void {
    if (stream) stream.sendWindow += increment;
    else {
      this.window += increment;
      if (this.window > MAX_WINDOW) throw new Error('HTTP/2: flow-control window overflow');
    }
    this.resume();
  }

  private startWaiting(): void {
    while (this.waiting.length > 0 && this.open < this.maxStreams) {
      const next = this.waiting.shift()!;
      this.open++;
      this.write(next.stream, next.block, next.body);
    }
  }

  private write(stream: H2Stream, block: Buffer, body: Uint8Array | BodyWriter): void {
    const out = this.out;
    const length = GRPC_PREFIX_BYTES + bodyLength(body);
    stream.opened = true;
    this.writeHeaders(stream.id, block);
    if (length <= stream.sendWindow && length <= this.window && length <= this.maxFrame) {
      // The common case: the whole message in one DATA frame, written straight into the output.
      const at = out.reserve(FRAME_HEADER_BYTES + length);
      const buf = out.buffer;
      writeFrameHeader(buf, at, length, FrameType.DATA, Flag.END_STREAM, stream.id);
      writePrefix(buf, at + FRAME_HEADER_BYTES, length - GRPC_PREFIX_BYTES);
      writeBody(body, buf, at + FRAME_HEADER_BYTES + GRPC_PREFIX_BYTES);
      stream.sendWindow -= length;
      this.window -= length;
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
      const size = Math.min(block.length - offset, this.maxFrame);
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
      const size = Math.min(pending.length - stream.pendingAt, stream.sendWindow, this.window, this.maxFrame);
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
      this.window -= size;
    }
    stream.pending = undefined;
  }
}

function bodyLength(body: Uint8Array | BodyWriter): number {
  return body instanceof Uint8Array ? body.length : body.byteLength;
}

function writeBody(body: Uint8Array | BodyWriter, target: Buffer, offset: number): void {
  if (body instanceof Uint8Array) target.set(body, offset);
  else body.writeTo(target, offset);
}

/** A waiting request keeps its own copy: a body writer is only valid during the call. */
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
