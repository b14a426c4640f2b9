/** Anything with a `cancel()`: grpc-js unary calls. */
export interface Cancellable {
  cancel(): void;
}

/**
 * Enforces time limits of hot-path calls (sends, acks) without a gRPC deadline per call: a
 * deadline makes grpc-js start a timer per call on the client and, through the `grpc-timeout`
 * header, another one on the broker. Instead one unref'd interval, running only while calls are
 * watched, cancels those past their limit; the caller sees CANCELLED after its deadline and
 * reports a timeout.
 */
export class DeadlineSweeper {
  private readonly calls = new Map<Cancellable, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly periodMs = 100) {}

  watch(call: Cancellable, deadlineAt: number): void {
    this.calls.set(call, deadlineAt);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.periodMs);
      this.timer.unref();
    }
  }

  unwatch(call: Cancellable): void {
    this.calls.delete(call);
  }

  get size(): number {
    return this.calls.size;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [call, at] of this.calls) {
      if (at <= now) {
        this.calls.delete(call);
        call.cancel();
      }
    }
    if (this.calls.size === 0) this.stop();
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stop();
    this.calls.clear();
  }
}
