/** The real broker's dispatcher heartbeat. */
export const HEARTBEAT_MS = 500;
/** Inactive heartbeat ticks before a Key-Shared consumer is evicted (`INACTIVE_EVICTION_TICKS`): 3 s. */
export const INACTIVE_EVICTION_TICKS = 6;

/**
 * Reliable Key-Shared only, as in the real broker: a consumer whose stream went away stays on
 * the hash ring for a grace period (it may come back), and is evicted when it has been
 * inactive for {@link INACTIVE_EVICTION_TICKS} heartbeat ticks in a row, so that its keys go
 * to the consumers that are left instead of waiting for it forever.
 *
 * The heartbeat only runs while some consumer is inactive.
 */
export class InactiveConsumerEviction<Consumer extends { readonly active: boolean }> {
  private readonly ticks = new Map<Consumer, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly consumers: () => readonly Consumer[],
    private readonly evict: (consumer: Consumer) => void,
  ) {}

  /** A consumer's stream went away: count heartbeats from now on. */
  watch(): void {
    if (this.timer) return;
    this.timer = setInterval(this.tick, HEARTBEAT_MS);
    this.timer.unref();
  }

  private readonly tick = (): void => {
    const present = new Set(this.consumers());
    for (const c of this.ticks.keys()) if (!present.has(c)) this.ticks.delete(c);
    let waiting = 0;
    for (const c of present) {
      if (c.active) {
        this.ticks.delete(c);
        continue;
      }
      const n = (this.ticks.get(c) ?? 0) + 1;
      if (n < INACTIVE_EVICTION_TICKS) {
        this.ticks.set(c, n);
        waiting++;
        continue;
      }
      this.ticks.delete(c);
      this.evict(c);
    }
    if (waiting === 0) this.close();
  };

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.ticks.clear();
  }
}
