import type { Socket } from 'node:net';

const INITIAL_BYTES = 64 * 1024;
const MAX_SPARE = 4;

/**
 * Frames written during one tick, sent in one socket write when the tick ends: a burst of calls
 * (a batch's acks, a window of sends) costs one syscall, not one per frame. Frames are written
 * into the buffer in place (`reserve`), so a request is encoded without intermediate copies.
 * Buffers come back for reuse once the socket has written them: a steady load allocates nothing.
 */
export class OutBuffer {
  buffer: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  private length = 0;
  private scheduled = false;
  private readonly spare: Buffer[] = [];
  private readonly flushSoon = (): void => this.flushNow();

  constructor(private readonly socket: Socket) {}

  /** Room for `bytes` more; returns where they start in `buffer` (which may have been replaced). */
  reserve(bytes: number): number {
    const at = this.length;
    if (at + bytes > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, at + bytes));
      this.buffer.copy(grown, 0, 0, at);
      this.buffer = grown;
    }
    this.length = at + bytes;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushSoon);
    }
    return at;
  }

  push(frame: Buffer): void {
    const at = this.reserve(frame.length);
    frame.copy(this.buffer, at);
  }

  /** Writes what is buffered now. */
  flushNow(): void {
    this.scheduled = false;
    if (this.length === 0 || this.socket.destroyed) {
      this.length = 0;
      return;
    }
    const full = this.buffer;
    const data = full.subarray(0, this.length);
    this.buffer = this.spare.pop() ?? Buffer.allocUnsafe(INITIAL_BYTES);
    this.length = 0;
    // The socket holds `data` until written; then the buffer may be filled again (a grown one
    // is dropped, so one burst does not pin a large buffer).
    this.socket.write(data, () => {
      if (full.length === INITIAL_BYTES && this.spare.length < MAX_SPARE) this.spare.push(full);
    });
  }
}
