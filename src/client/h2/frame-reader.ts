import { FRAME_HEADER_BYTES } from './frames.js';

/** Receives whole frames: payload is `buf[start, end)`, valid only during the call. */
export type FrameHandler = (type: number, flags: number, streamId: number, buf: Buffer, start: number, end: number) => void;

/**
 * Cuts the socket's byte stream into frames. A chunk usually holds many whole frames (one
 * socket read can carry dozens of responses); only a frame split across reads is copied.
 */
export class FrameReader {
  private rest: Buffer | undefined;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onFrame: FrameHandler,
  ) {}

  /** Feeds one chunk; throws when a frame exceeds the size we announced (FRAME_SIZE_ERROR). */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.rest) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = undefined;
    }
    let pos = 0;
    const total = buf.length;
    while (total - pos >= FRAME_HEADER_BYTES) {
      const length = (buf[pos]! << 16) | (buf[pos + 1]! << 8) | buf[pos + 2]!;
      if (length > this.maxFrameBytes) throw new Error(`HTTP/2 frame of ${length} bytes exceeds the ${this.maxFrameBytes}-byte limit`);
      const end = pos + FRAME_HEADER_BYTES + length;
      if (end > total) break;
      const streamId = buf.readUInt32BE(pos + 5) & 0x7fffffff;
      this.onFrame(buf[pos + 3]!, buf[pos + 4]!, streamId, buf, pos + FRAME_HEADER_BYTES, end);
      pos = end;
    }
    if (pos < total) this.rest = pos === 0 ? buf : buf.subarray(pos);
  }
}
