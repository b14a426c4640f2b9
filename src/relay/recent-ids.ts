/**
 * A bounded set of the most recently settled record ids (insertion order, oldest evicted first).
 * A broker redelivers a record whose ack arrived after the ack timeout; remembering recent ids
 * lets the relay ack such a redelivery again instead of invoking the function twice.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  add(id: string): void {
    if (this.capacity <= 0) return;
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      // A Set iterates in insertion order, so the first value is the oldest.
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
