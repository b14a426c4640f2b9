/**
 * Reliable Key-Shared keeps at most one message per key in flight: a later message
 * of a busy key waits, in offset order, until the one before it is acked, dropped
 * or dead-lettered.
 */
export class KeyGate<P extends { offset: number; key: string | undefined }> {
  private readonly holder = new Map<string, number>();
  private readonly waiting = new Map<string, P[]>();

  /** True when `p` may be delivered now (it then holds its key); false when it must wait. */
  acquire(p: P & { key: string }): boolean {
    if (!this.holder.has(p.key)) {
      this.holder.set(p.key, p.offset);
      return true;
    }
    const q = this.waiting.get(p.key);
    if (q) q.push(p);
    else this.waiting.set(p.key, [p]);
    return false;
  }

  /** `p` is done: returns the next message of its key, which now holds the key. */
  release(p: P): P | undefined {
    if (p.key === undefined || this.holder.get(p.key) !== p.offset) return undefined;
    const q = this.waiting.get(p.key);
    const next = q?.shift();
    if (!next) {
      this.holder.delete(p.key);
      return undefined;
    }
    if (q!.length === 0) this.waiting.delete(p.key);
    this.holder.set(p.key, next.offset);
    return next;
  }
}
