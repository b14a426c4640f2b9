import { randomBytes } from 'node:crypto';

/** HTTP/2 keepalive, with the meaning of grpc-js's `grpc.keepalive_*` channel options. */
export interface KeepAliveOptions {
  /** Ping the broker after this long (ms); Infinity (default) turns keepalive off. */
  timeMs: number;
  /** Close the connection when a ping is not answered within this (ms, default 20 000). */
  timeoutMs: number;
  /** Also ping while no call is open (default false). */
  permitWithoutCalls: boolean;
}

export const DEFAULT_KEEPALIVE: KeepAliveOptions = { timeMs: Infinity, timeoutMs: 20_000, permitWithoutCalls: false };

interface KeepAliveHooks {
  ping(payload: Buffer): void;
  /** Whether calls are open on the connection. */
  active(): boolean;
  /** No answer in time: the connection is dead. */
  dead(): void;
}

/**
 * Pings the broker every `timeMs` while calls are open (or always, when permitted) and declares
 * the connection dead when an answer does not come within `timeoutMs`: a broker that vanished
 * without closing the TCP connection is noticed instead of waiting on the call deadlines.
 */
export class KeepAlive {
  private timer: NodeJS.Timeout | undefined;
  private timeout: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly options: KeepAliveOptions,
    private readonly hooks: KeepAliveHooks,
  ) {
    this.arm();
  }

  /** A call started: make sure a ping is scheduled. */
  activity(): void {
    if (this.timer === undefined && this.timeout === undefined) this.arm();
  }

  answered(): void {
    if (this.timeout !== undefined) clearTimeout(this.timeout);
    this.timeout = undefined;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.timeout !== undefined) clearTimeout(this.timeout);
    this.timer = this.timeout = undefined;
  }

  private arm(): void {
    if (this.stopped || !Number.isFinite(this.options.timeMs)) return;
    this.timer = setTimeout(() => this.fire(), this.options.timeMs);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    if (this.stopped) return;
    // Idle and not permitted: wait for the next call to re-arm.
    if (!this.hooks.active() && !this.options.permitWithoutCalls) return;
    this.hooks.ping(randomBytes(8));
    this.timeout = setTimeout(() => {
      this.timeout = undefined;
      if (!this.stopped) this.hooks.dead();
    }, this.options.timeoutMs);
    this.timeout.unref();
  }
}
