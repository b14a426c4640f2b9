// Danube has no call that reads a topic's past messages, so the console follows the topics it
// shows from the start, through a subscription of its own that acks everything at once (it holds
// nothing back from anyone), and keeps the newest few messages of each for "peek".
import type { DanubeMessage } from '../client/message.js';
import type { Logger } from '../core/logger.js';
import { payloadPreview } from '../dlq/preview.js';
import { redactAttributes } from './redact.js';
import type { PeekedMessage } from './types.js';

/** What the tail needs of a Danube client. */
export interface TailClient {
  subscribe(options: {
    topic: string;
    subscription: string;
    consumerName: string;
    type: 'exclusive';
    dispatch: 'reliable' | 'non-reliable';
    signal: AbortSignal;
  }): Promise<TailConsumer>;
}

export interface TailConsumer extends AsyncIterable<TailMessage> {
  ack(message: TailMessage): Promise<void>;
  close(): Promise<void>;
}

export type TailMessage = Pick<DanubeMessage, 'topic' | 'offset' | 'payload' | 'publishTime' | 'producerName' | 'attributes' | 'routingKey'>;

/** How long following one topic may take to start. */
const SUBSCRIBE_TIMEOUT_MS = 5_000;

/** The console's own subscription on the topics it follows. */
export const TAIL_SUBSCRIPTION = 'danube-console-tail';

/**
 * Follows topics and keeps their newest messages. `forget` removes the subscription from the
 * broker when the tail stops, so nothing is retained for a console that is gone.
 *
 * @example
 * const tail = await TopicTail.start(client, [{ topic: '/default/orders', dispatch: 'reliable' }], { keep: 50, logger });
 * tail.recent('/default/orders', 10);
 */
export class TopicTail {
  private readonly messages = new Map<string, PeekedMessage[]>();
  private readonly consumers: TailConsumer[] = [];
  private readonly loops: Promise<void>[] = [];
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly keep: number,
    private readonly logger: Logger,
    private readonly forget?: (topic: string) => Promise<void>,
  ) {}

  static async start(
    client: TailClient,
    topics: ReadonlyArray<{ topic: string; dispatch: 'reliable' | 'non-reliable' }>,
    options: { keep: number; logger: Logger; forget?: (topic: string) => Promise<void> },
  ): Promise<TopicTail> {
    const tail = new TopicTail(options.keep, options.logger, options.forget);
    await Promise.all(topics.map((t) => tail.follow(t.topic, t.dispatch, client)));
    return tail;
  }

  /** The topics followed. */
  get topics(): string[] {
    return [...this.messages.keys()];
  }

  /** Newest first. */
  recent(topic: string, limit: number): PeekedMessage[] | undefined {
    return this.messages.get(topic)?.slice(0, limit);
  }

  private async follow(topic: string, dispatch: 'reliable' | 'non-reliable', client: TailClient): Promise<void> {
    let consumer: TailConsumer;
    try {
      // Bounded: the console starts before the pipeline's sources and must never hold them up.
      consumer = await client.subscribe({
        topic,
        subscription: TAIL_SUBSCRIPTION,
        consumerName: TAIL_SUBSCRIPTION,
        type: 'exclusive',
        dispatch,
        signal: AbortSignal.timeout(SUBSCRIBE_TIMEOUT_MS),
      });
    } catch (err) {
      this.logger.warn({ topic, err: (err as Error).message }, 'console: cannot follow topic; peek will show nothing for it');
      return;
    }
    const kept: PeekedMessage[] = [];
    this.messages.set(topic, kept);
    this.consumers.push(consumer);
    this.loops.push(
      (async () => {
        try {
          for await (const m of consumer) {
            kept.unshift({
              topic: m.topic,
              offset: m.offset.toString(),
              publishTime: m.publishTime,
              ...(m.routingKey !== undefined ? { key: m.routingKey } : {}),
              producer: m.producerName,
              attributes: redactAttributes(m.attributes),
              preview: payloadPreview(m.payload),
            });
            if (kept.length > this.keep) kept.length = this.keep;
            await consumer.ack(m).catch(() => undefined);
          }
        } catch (err) {
          this.logger.debug({ topic, err: (err as Error).message }, 'console: tail ended');
        }
      })(),
    );
  }

  /** Stops following and removes the subscription. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled(this.consumers.map((c) => c.close()));
      await Promise.allSettled(this.loops);
      if (this.forget) await Promise.allSettled(this.topics.map((t) => this.forget!(t)));
    })();
    return this.closing;
  }
}
