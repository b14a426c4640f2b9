import type { BindingProblem, NotReadyReason } from './binding-status.js';

/** The parts of a binding that can go wrong on their own. */
export type BindingPart = 'subscribe' | 'consumer' | 'function';

/**
 * The last unresolved problem of a binding: the same one again counts up, another replaces it,
 * and it ends when the part it belongs to works again.
 */
export class BindingProblems {
  private current: (BindingProblem & { part: BindingPart }) | undefined;

  /**
   * Records a problem; true when it is new (so that it is logged once, not on every retry).
   * `reason` is set for a problem that keeps the binding from delivering at all (`/readyz` names it).
   */
  report(part: BindingPart, message: string, now: number, reason?: NotReadyReason): boolean {
    if (this.current?.message === message) {
      this.current.count++;
      this.current.at = now;
      return false;
    }
    this.current = reason === undefined ? { part, message, at: now, count: 1 } : { part, message, at: now, count: 1, reason };
    return true;
  }

  /** That part works again: its problem, if it is the last one, is over. */
  resolve(part: BindingPart): void {
    if (this.current?.part === part) this.current = undefined;
  }

  /** The part the last problem belongs to, if any. */
  get part(): BindingPart | undefined {
    return this.current?.part;
  }

  get last(): BindingProblem | undefined {
    const c = this.current;
    if (!c) return undefined;
    return c.reason === undefined ? { message: c.message, at: c.at, count: c.count } : { message: c.message, at: c.at, count: c.count, reason: c.reason };
  }
}
