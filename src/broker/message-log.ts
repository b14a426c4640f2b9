import type { StreamMessage } from '../generated/danube/DanubeApi.js';

/**
 * The in-memory part of a reliable topic's log: messages by offset, from the
 * oldest one some subscription still needs to the newest. Offsets start at 0 per
 * topic, as the real broker's WAL assigns them.
 */
export class MessageLog {
  private items: Array<StreamMessage | undefined> = [];
  private head = 0;
  /** Offset of `items[head]`. */
  private start: number;
  /** The offset the next append gets. */
  next: number;

  constructor(nextOffset = 0) {
    this.start = nextOffset;
    this.next = nextOffset;
  }

  /** Stamps the offset into the message (the stored copy is what consumers get). */
  append(msg: StreamMessage): number {
    const offset = this.next++;
    if (msg.msgId) msg.msgId.topicOffset = BigInt(offset);
    this.items.push(msg);
    return offset;
  }

  /**
   * Gives the message its offset without keeping it: nobody could ever read it
   * from memory (no subscription yet, and new ones start at the latest message).
   */
  skip(msg: StreamMessage): number {
    const offset = this.next++;
    if (msg.msgId) msg.msgId.topicOffset = BigInt(offset);
    if (this.items.length === this.head) this.start = this.next;
    return offset;
  }

  /** Puts back a message read from disk at its own offset. */
  restore(offset: number, msg: StreamMessage): void {
    if (this.items.length === this.head) {
      this.start = offset;
      this.next = offset;
    }
    while (this.next < offset) {
      this.items.push(undefined);
      this.next++;
    }
    this.items.push(msg);
    this.next = offset + 1;
  }

  /** On an empty log: the next append gets `offset`. */
  resetTo(offset: number): void {
    if (this.size !== 0) return;
    this.items = [];
    this.head = 0;
    this.start = offset;
    this.next = offset;
  }

  get(offset: number): StreamMessage | undefined {
    if (offset < this.start) return undefined;
    return this.items[this.head + (offset - this.start)];
  }

  /** Forgets every message below `offset` (acked by every subscription). */
  trimBefore(offset: number): void {
    while (this.start < offset && this.head < this.items.length) {
      this.items[this.head++] = undefined;
      this.start++;
    }
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
      this.start = this.next;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Messages held in memory. */
  get size(): number {
    return this.items.length - this.head;
  }

  get firstOffset(): number {
    return this.start;
  }
}
