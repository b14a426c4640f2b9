import type { StreamMessage } from '../generated/danube/DanubeApi.js';
import type { Logger } from '../core/logger.js';
import { MessageLog } from './message-log.js';
import type { Consumer } from './consumer.js';
import type { DeadLetterInfo } from './dispatch/parts.js';
import type { Subscription } from './subscription.js';

/** A producer attached to a topic; `active` turns false when the broker forgets it. */
export interface Producer {
  readonly id: bigint;
  readonly name: string;
  readonly topic: Topic;
  readonly node: number;
  active: boolean;
  /** The last `msg_id.broker_addr` seen, shared by the messages that carry the same. */
  brokerAddr: string;
}

export type { DeadLetterInfo };

/** What a topic needs from the broker around it (dead letters, persistence). */
export interface TopicHost {
  readonly logger: Logger;
  deadLetter(source: Topic, msg: StreamMessage, info: DeadLetterInfo): void;
  appended(topic: Topic, offset: number, msg: StreamMessage): void;
  cursorsMoved(topic: Topic): void;
  /** A consumer was evicted from its subscription: the broker forgets its id. */
  consumerEvicted(consumer: Consumer): void;
}

export type ValidationPolicy = 'none' | 'warn' | 'enforce';

/**
 * One (partition) topic: its producers, subscriptions and, when reliable, its
 * message log. `owner` is the index of the broker that serves it in a cluster.
 */
export class Topic {
  readonly log: MessageLog | null;
  readonly producers = new Map<string, Producer>();
  readonly subscriptions = new Map<string, Subscription>();
  private subList: Subscription[] = [];
  schemaSubject: string | undefined;
  validationPolicy: ValidationPolicy = 'none';
  enablePayloadValidation = false;
  published = 0;
  /** The namespace's `max_message_size`, looked up once by the broker (0 = none). */
  sizeLimit: number | undefined;

  constructor(
    readonly name: string,
    readonly reliable: boolean,
    public owner: number,
    private readonly host: TopicHost,
    nextOffset = 0,
  ) {
    this.log = reliable ? new MessageLog(nextOffset) : null;
  }

  publish(msg: StreamMessage): void {
    this.published++;
    const subs = this.subList;
    if (this.log === null) {
      for (let i = 0; i < subs.length; i++) (subs[i]!.dispatcher as { dispatch(m: StreamMessage): void }).dispatch(msg);
      return;
    }
    if (subs.length === 0) {
      // A new subscription starts at the latest message, so nobody can ever read this one
      // from memory; the on-disk log (if any) still has it.
      this.host.appended(this, this.log.skip(msg), msg);
      return;
    }
    this.host.appended(this, this.log.append(msg), msg);
    for (let i = 0; i < subs.length; i++) (subs[i]!.dispatcher as { notify(): void }).notify();
  }

  addSubscription(sub: Subscription): void {
    this.subscriptions.set(sub.name, sub);
    this.subList = [...this.subscriptions.values()];
  }

  removeSubscription(name: string): void {
    const sub = this.subscriptions.get(name);
    if (!sub) return;
    sub.close();
    this.subscriptions.delete(name);
    this.subList = [...this.subscriptions.values()];
    this.onCursorMoved();
  }

  get logger(): Logger {
    return this.host.logger;
  }

  consumerEvicted(consumer: Consumer): void {
    this.host.consumerEvicted(consumer);
  }

  deadLetter(msg: StreamMessage, info: DeadLetterInfo): void {
    this.host.deadLetter(this, msg, info);
  }

  /** Frees messages every subscription has acked. */
  onCursorMoved(): void {
    const log = this.log;
    if (log === null) return;
    let min = log.next;
    for (const sub of this.subList) {
      const c = (sub.dispatcher as { cursor: number }).cursor;
      if (c < min) min = c;
    }
    if (min > log.firstOffset) log.trimBefore(min);
    this.host.cursorsMoved(this);
  }

  /** Detaches everything (broker shutdown or restart): producers and consumers become unknown. */
  close(): void {
    for (const p of this.producers.values()) p.active = false;
    for (const sub of this.subList) sub.close();
  }
}
