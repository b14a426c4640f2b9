import { BACKOFF_POLICIES, type BackoffPolicy } from '../core/backoff.js';
import { GRPC_STATUS } from '../core/grpc-status.js';
import type { Logger } from '../core/logger.js';
import { BindingProblems } from './binding-problems.js';
import type { BindingProblem } from './binding-status.js';
import { refusedBy } from './refused.js';

/**
 * What a binding knows about its own troubles, and how it tells about them: each problem is
 * logged once (with what to do, when there is something to do) and kept with when and how often
 * it happened, for the status and `/readyz`.
 */
export class BindingHealth {
  private readonly problems = new BindingProblems();
  /** The last subscribe failed because the topic does not exist (yet). */
  topicMissing = false;
  /** The broker refused the relay's credentials last time: try again slowly. */
  refused = false;
  /** The function cannot be invoked until a restart: the binding does not subscribe. */
  unavailable = false;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly topic: string,
    private readonly resubscribeEveryMs: number,
  ) {}

  get last(): BindingProblem | undefined {
    return this.problems.last;
  }

  /** How long to wait before subscribing again. */
  get backoff(): BackoffPolicy {
    return this.refused ? BACKOFF_POLICIES.refused : BACKOFF_POLICIES.resubscribe;
  }

  subscribed(): void {
    this.topicMissing = false;
    this.problems.resolve('subscribe');
    // Subscribing may be allowed where receiving is not: that problem stays until a message arrives.
    if (!this.refused) this.problems.resolve('consumer');
  }

  subscribeFailed(err: unknown): void {
    const missing = (err as { code?: unknown }).code === GRPC_STATUS.NOT_FOUND;
    const refused = refusedBy(err, 'subscribe');
    this.refused = refused !== undefined;
    this.topicMissing = missing;
    const message =
      refused?.message ??
      (missing
        ? `topic ${this.topic} does not exist yet; subscribing again every ${this.resubscribeEveryMs} ms (create it, or provision the bindings)`
        : `subscribe failed: ${(err as Error).message}`);
    // Logged when the reason changes, not on every retry.
    if (this.problems.report('subscribe', message, this.now(), refused?.reason)) {
      if (missing) this.log.warn({ err: (err as Error).message }, message);
      else this.log.error({ err: (err as Error).message }, refused ? message : 'subscribe failed; retrying');
    }
  }

  consumerFailed(err: unknown): void {
    // RBAC checks receiving at cluster scope: a relay may subscribe and still not receive.
    const refused = refusedBy(err, 'receive');
    this.refused = refused !== undefined;
    const message = refused?.message ?? `consumer failed: ${(err as Error).message}`;
    if (this.problems.report('consumer', message, this.now(), refused?.reason) || !refused) {
      this.log.error({ err: (err as Error).message }, refused?.message ?? 'consumer failed; resubscribing');
    }
  }

  received(): void {
    this.refused = false;
  }

  /**
   * The function cannot be invoked as configured (its check failed, or an invocation said so).
   * When that lasts until a restart (a module that does not import), the binding does not even
   * subscribe: its records wait on the broker instead of being read and retried for nothing.
   */
  sinkUnavailable(message: string, untilRestart = false): void {
    if (untilRestart) this.unavailable = true;
    if (this.problems.report('function', message, this.now(), 'sink-unavailable')) {
      this.log.error(
        { err: message },
        untilRestart
          ? 'the function cannot be invoked: the binding does not start (fix it and restart the relay)'
          : 'the function cannot be invoked as configured',
      );
    }
  }

  get sinkProblem(): boolean {
    return this.problems.last?.reason === 'sink-unavailable';
  }

  /** An invocation failed for the records (the function threw, or named failed records). */
  batchFailed(problem: string): void {
    // A function that cannot be invoked keeps that problem (and /readyz its reason) until it works.
    if (!this.sinkProblem) this.problems.report('function', problem, this.now());
  }

  /** The function worked (an invocation succeeded, or a check passed again). */
  functionWorks(): void {
    this.problems.resolve('function');
  }
}
