/**
 * A bounded map of the most recently settled record ids to their fingerprints (insertion order,
 * oldest evicted first). A broker redelivers a record whose ack arrived after the ack timeout;
 * remembering recent ids lets the relay ack such a redelivery again instead of invoking the
 * function twice. The fingerprint tells a redelivery from another message at the same offset.
 */
export class RecentIds {
  private readonly ids = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  add(id: string, fingerprint = ''): void {
    if (this.capacity <= 0) return;
    this.ids.delete(id);
    this.ids.set(id, fingerprint);
    if (this.ids.size > this.capacity) {
      // A Map iterates in insertion order, so the first key is the oldest.
      const oldest = this.ids.keys().next().value as string;
      this.ids.delete(oldest);
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** The fingerprint remembered for `id`, or undefined. */
  get(id: string): string | undefined {
    return this.ids.get(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
