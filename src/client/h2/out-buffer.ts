import type { Socket } from 'node:net';

const INITIAL_BYTES = 16 * 1024;

/**
 * Frames written during one tick, sent in one socket write when the tick ends: a burst of calls
 * (a batch's acks, a window of sends) costs one syscall, not one per frame. Frames are written
 * into the buffer in place (`reserve`), so a request is encoded without intermediate copies.
 */
export class OutBuffer {
  buffer: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  private length = 0;
  private scheduled = false;
  private lastSize = INITIAL_BYTES;

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
    this.schedule();
    return at;
  }

  push(frame: Buffer): void {
    const at = this.reserve(frame.length);
    frame.copy(this.buffer, at);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(() => this.flushNow());
  }

  /** Writes what is buffered now. */
  flushNow(): void {
    this.scheduled = false;
    if (this.length === 0 || this.socket.destroyed) {
      this.length = 0;
      return;
    }
    const data = this.buffer.subarray(0, this.length);
    // The socket keeps `data` until written, so the next tick's frames go to a fresh buffer,
    // sized after this one so that a steady load rarely grows it.
    this.lastSize = Math.max(INITIAL_BYTES, Math.min(this.length * 2, 4 * 1024 * 1024));
    this.buffer = Buffer.allocUnsafe(this.lastSize);
    this.length = 0;
    this.socket.write(data);
  }
}
