import type { status } from '@grpc/grpc-js';
import { RpcStatus } from './errors.js';

/** RPC names as they appear in gRPC paths, e.g. `SendMessage`, `Ack`, `TopicLookup`. */
export type RpcName = string;

interface FailRule {
  rpc: RpcName;
  remaining: number;
  code: status;
  message: string;
  broker: number | undefined;
}

interface DelayRule {
  rpc: RpcName;
  ms: number;
  remaining: number;
  broker: number | undefined;
}

/**
 * Fault injection for tests. Rules are consumed per call; when none is armed the
 * hot path pays one boolean check.
 *
 * @example
 * broker.faults.failNext('SendMessage', 2, status.UNAVAILABLE);
 * broker.faults.delay('Ack', 500);
 * broker.faults.dropConsumerStreams();
 */
export class Faults {
  armed = false;
  private fails: FailRule[] = [];
  private delays: DelayRule[] = [];

  constructor(private readonly dropStreams: (filter: { topic?: string; subscription?: string; consumerName?: string }) => number) {}

  /** Fails the next `count` calls of `rpc` (on every broker, or only `broker`) with `code`. */
  failNext(rpc: RpcName, count: number, code: status, message = 'injected fault', broker?: number): void {
    this.fails.push({ rpc, remaining: count, code, message, broker });
    this.armed = true;
  }

  /** Delays calls of `rpc` by `ms` (the next `count` calls, default all until `clear()`). */
  delay(rpc: RpcName, ms: number, count = Infinity, broker?: number): void {
    this.delays.push({ rpc, ms, remaining: count, broker });
    this.armed = true;
  }

  /** Ends matching ReceiveMessages streams with UNAVAILABLE, as a lost connection does. Returns how many. */
  dropConsumerStreams(filter: { topic?: string; subscription?: string; consumerName?: string } = {}): number {
    return this.dropStreams(filter);
  }

  clear(): void {
    this.fails = [];
    this.delays = [];
    this.armed = false;
  }

  /** What to do with one call: an error to answer, a delay, or nothing. */
  take(rpc: RpcName, broker: number): { error?: RpcStatus; delayMs: number } {
    let delayMs = 0;
    for (const d of this.delays) {
      if (d.rpc === rpc && d.remaining > 0 && (d.broker === undefined || d.broker === broker)) {
        d.remaining--;
        delayMs = Math.max(delayMs, d.ms);
      }
    }
    let error: RpcStatus | undefined;
    for (const f of this.fails) {
      if (f.rpc === rpc && f.remaining > 0 && (f.broker === undefined || f.broker === broker)) {
        f.remaining--;
        error = new RpcStatus(f.code, f.message);
        break;
      }
    }
    this.fails = this.fails.filter((f) => f.remaining > 0);
    this.delays = this.delays.filter((d) => d.remaining > 0);
    this.armed = this.fails.length > 0 || this.delays.length > 0;
    return { error, delayMs };
  }
}
