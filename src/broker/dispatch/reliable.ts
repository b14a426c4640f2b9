import type { StreamMessage } from '../../generated/danube/DanubeApi.js';
import type { MessageLog } from '../message-log.js';
import { KeyGate } from './key-gate.js';
import { routingKeyOf, type DispatchConsumer, type DispatchSubscription } from './parts.js';

// States of an unacked message in the window.
const READY = 0; // waits for a consumer (first delivery or redelivery)
const DELIVERED = 1; // written to a consumer, ack timer running
const WAITING = 2; // failed; redelivery backoff running
const DEFERRED = 3; // Key-Shared: another message of its key is in flight
const BLOCKED = 4; // retries exhausted under the Block policy
const SETTLED = 5; // acked, dropped or dead-lettered

interface Pending {
  offset: number;
  msg: StreamMessage;
  key: string | undefined;
  /** Deliveries so far. */
  attempt: number;
  state: number;
  consumer: DispatchConsumer | null;
  /** Ack deadline (DELIVERED) or redelivery time (WAITING), ms since epoch. */
  due: number;
  reason: string | undefined;
}

const attached = (c: DispatchConsumer): boolean => c.stream !== null;

/**
 * At-least-once dispatch of one subscription of a reliable topic: at most
 * `maxUnackedMessages` unacked messages, an ack timeout, exponential redelivery,
 * then the poison policy. `cursor` is the real broker's "safe cursor" plus one:
 * every offset below it is acked or skipped.
 */
export class ReliableDispatcher {
  cursor: number;
  private readPos: number;
  private readonly inFlight = new Map<number, Pending>();
  private readonly ackedAhead = new Set<number>();
  private ready: Pending[] = [];
  private readonly keys = new KeyGate<Pending>();
  private blocked = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private pumpQueued = false;
  private closed = false;
  private readonly keyed: boolean;

  constructor(
    private readonly sub: DispatchSubscription<DispatchConsumer>,
    private readonly log: MessageLog,
    startOffset: number,
  ) {
    this.cursor = startOffset;
    this.readPos = startOffset;
    this.keyed = sub.kind === 'key-shared';
  }

  /** Unacked messages counted against the window. */
  get unacked(): number {
    return this.inFlight.size;
  }

  /** Messages published but not yet acked (backlog), as admin tools report it. */
  get backlog(): number {
    return this.log.next - this.cursor - this.ackedAhead.size;
  }

  /** New messages were appended to the log. */
  notify(): void {
    if (this.pumpQueued || this.closed) return;
    this.pumpQueued = true;
    queueMicrotask(this.runPump);
  }

  private readonly runPump = (): void => {
    this.pumpQueued = false;
    this.pump();
  };

  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    if (this.ready.length > 0) this.drainReady(now);
    const max = this.sub.policy.maxUnackedMessages;
    // An exhausted message under Block stalls ordered (Exclusive/Failover) subscriptions.
    if (this.blocked > 0 && (this.sub.kind === 'exclusive' || this.sub.kind === 'failover')) return;
    while (this.inFlight.size < max && this.readPos < this.log.next) {
      const offset = this.readPos;
      const msg = this.log.get(offset);
      if (msg === undefined) {
        this.readPos++;
        continue;
      }
      const p: Pending = { offset, msg, key: undefined, attempt: 0, state: READY, consumer: null, due: 0, reason: undefined };
      if (this.keyed) {
        const target = this.sub.pick(msg, attached);
        if (target === undefined) {
          // No consumer's key filters accept this key: the subscription skips it.
          this.readPos++;
          this.markDone(offset);
          continue;
        }
        if (!this.sub.consumers.some(attached)) break;
        const keyed = p as Pending & { key: string };
        keyed.key = routingKeyOf(msg);
        this.readPos++;
        this.inFlight.set(offset, p);
        if (!this.keys.acquire(keyed)) {
          p.state = DEFERRED;
          continue;
        }
        if (target) this.send(p, target, now);
        else this.ready.push(p);
        continue;
      }
      const target = this.sub.pick(msg, attached);
      if (!target) break;
      this.readPos++;
      this.inFlight.set(offset, p);
      this.send(p, target, now);
    }
  }

  private drainReady(now: number): void {
    const list = this.ready;
    let kept = 0;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (p.state !== READY) continue;
      const target = this.sub.pick(p.msg, attached);
      if (target === undefined) {
        this.settle(p);
        continue;
      }
      if (target) this.send(p, target, now);
      else list[kept++] = p;
    }
    list.length = kept;
  }

  private send(p: Pending, consumer: DispatchConsumer, now: number): void {
    p.attempt++;
    p.state = DELIVERED;
    p.consumer = consumer;
    p.due = now + this.sub.policy.ackTimeoutMs;
    consumer.write(p.msg);
    if (p.due < this.timerAt) this.arm(p.due, now);
  }

  ack(offset: number): void {
    const p = this.inFlight.get(offset);
    // Late or duplicate acks are ignored, as the real broker does.
    if (p === undefined || p.state === DEFERRED) return;
    this.settle(p);
    this.notify();
  }

  nack(offset: number, delayMs: number | undefined, reason: string | undefined): void {
    const p = this.inFlight.get(offset);
    if (p === undefined || p.state !== DELIVERED) return;
    this.fail(p, delayMs, reason ?? 'nacked', Date.now());
    this.notify();
  }

  private fail(p: Pending, requestedDelay: number | undefined, reason: string, now: number): void {
    const policy = this.sub.policy;
    p.consumer = null;
    p.reason = reason;
    if (p.attempt > policy.maxRedeliveryCount) {
      this.poison(p);
      return;
    }
    let delay = policy.backoff === 'fixed' ? policy.baseRedeliveryDelayMs : policy.baseRedeliveryDelayMs * 2 ** (p.attempt - 1);
    if (requestedDelay !== undefined && requestedDelay > delay) delay = requestedDelay;
    if (delay > policy.maxRedeliveryDelayMs) delay = policy.maxRedeliveryDelayMs;
    if (delay <= 0) {
      p.state = READY;
      this.ready.push(p);
      return;
    }
    p.state = WAITING;
    p.due = now + delay;
    if (p.due < this.timerAt) this.arm(p.due, now);
  }

  private poison(p: Pending): void {
    const policy = this.sub.policy;
    if (p.state !== BLOCKED) {
      this.sub.topic.logger.warn(
        { topic: this.sub.topic.name, subscription: this.sub.name, offset: p.offset, attempts: p.attempt, policy: policy.poisonPolicy, reason: p.reason },
        'message exhausted its redeliveries',
      );
    }
    if (policy.poisonPolicy === 'block') {
      if (p.state !== BLOCKED) this.blocked++;
      p.state = BLOCKED;
      return;
    }
    if (policy.poisonPolicy === 'dead-letter' && policy.deadLetterTopic) {
      this.sub.topic.deadLetter(p.msg, {
        subscription: this.sub.name,
        deadLetterTopic: policy.deadLetterTopic,
        attempt: p.attempt,
        reason: p.reason ?? 'max redeliveries exceeded',
      });
    }
    this.settle(p);
  }

  private settle(p: Pending): void {
    if (p.state === BLOCKED) this.blocked--;
    p.state = SETTLED;
    p.consumer = null;
    this.inFlight.delete(p.offset);
    const next = this.keys.release(p);
    if (next) {
      next.state = READY;
      this.ready.push(next);
    }
    this.markDone(p.offset);
  }

  private markDone(offset: number): void {
    if (offset !== this.cursor) {
      this.ackedAhead.add(offset);
      return;
    }
    let c = offset + 1;
    while (this.ackedAhead.delete(c)) c++;
    this.cursor = c;
    this.sub.topic.onCursorMoved();
  }

  private arm(at: number, now: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.onTimer, Math.max(0, at - now));
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const p of this.inFlight.values()) {
      if (p.state === DELIVERED && p.due <= now) this.fail(p, undefined, 'ack timeout', now);
      else if (p.state === WAITING && p.due <= now) {
        p.state = READY;
        this.ready.push(p);
      }
      if ((p.state === DELIVERED || p.state === WAITING) && p.due < next) next = p.due;
    }
    if (next < this.timerAt) this.arm(next, now);
    this.pump();
  };

  onConsumerAttached(_c: DispatchConsumer): void {
    this.notify();
  }

  /** A consumer's stream went away: its unacked messages go to whoever can take them. */
  onConsumerDetached(c: DispatchConsumer): void {
    for (const p of this.inFlight.values()) {
      if (p.state === DELIVERED && p.consumer === c) {
        p.consumer = null;
        p.state = READY;
        this.ready.push(p);
      }
    }
    this.ready.sort((a, b) => a.offset - b.offset);
    this.notify();
  }

  /** After an admin change: exhausted messages get the new policy (or another round under Block). */
  onPolicyChanged(): void {
    for (const p of this.inFlight.values()) {
      if (p.state !== BLOCKED) continue;
      if (this.sub.policy.poisonPolicy === 'block') {
        this.blocked--;
        p.state = READY;
        this.ready.push(p);
      } else {
        this.poison(p);
      }
    }
    this.notify();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
