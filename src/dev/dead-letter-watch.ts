import { appendFile } from 'node:fs/promises';
import type { DanubeClient } from '../client/client.js';
import type { Consumer } from '../client/consumer.js';
import { readDeadLetterEnvelope } from '../core/dead-letter.js';
import type { Logger } from '../core/logger.js';

export interface DeadLetterView {
  topic: string;
  /** Records dead-lettered since the pipeline started. */
  count: number;
  /** Records on the topic not yet redriven (its inspection subscription's backlog), when the broker tells. */
  onTopic?: number;
  lastReason?: string;
  lastError?: string;
  /** Who dead-lettered the last one (`relay:<binding>`, `source:<name>`, ...). */
  lastOrigin?: string;
}

/**
 * Follows the dead-letter topics of the local pipeline and appends each record, with its
 * dead-letter envelope (`x-dlq-*` / `x-original-*` attributes), to a JSON-lines file a user can read
 * (`.danube/dead-letters.jsonl`). Subscribes before anything can be dead-lettered: a new
 * subscription starts at the latest message.
 *
 * @example
 * const watch = await watchDeadLetters(client, ['/default/orders-dlq'], '.danube/dead-letters.jsonl', logger);
 */
export async function watchDeadLetters(client: DanubeClient, topics: string[], file: string, logger: Logger) {
  const views = new Map<string, DeadLetterView>(topics.map((t) => [t, { topic: t, count: 0 }]));
  const consumers: Consumer[] = [];
  const loops: Promise<void>[] = [];
  const decoder = new TextDecoder();
  for (const topic of topics) {
    let consumer: Consumer;
    try {
      consumer = await client.subscribe({ topic, subscription: 'danube-dev-dead-letters', consumerName: 'danube-dev-dead-letters', type: 'exclusive' });
    } catch (err) {
      // A real cluster without the topic yet: the relay still dead-letters there; we just cannot show it.
      views.get(topic)!.lastError = `not watched: ${(err as Error).message}`;
      logger.warn({ dlq: topic, err: (err as Error).message }, 'cannot watch dead-letter topic');
      continue;
    }
    consumers.push(consumer);
    loops.push(
      (async () => {
        try {
          for await (const msg of consumer) {
            const view = views.get(topic)!;
            view.count++;
            const envelope = readDeadLetterEnvelope(msg.attributes);
            if (envelope) {
              view.lastReason = envelope.reason;
              view.lastError = envelope.error;
              view.lastOrigin = envelope.origin;
            }
            const line = {
              topic,
              offset: msg.offset.toString(),
              publishTime: msg.publishTime,
              attributes: msg.attributes,
              payload: decoder.decode(msg.payload),
            };
            await appendFile(file, `${JSON.stringify(line)}\n`);
            logger.warn(
              { dlq: topic, reason: envelope?.reason, origin: envelope?.origin, originalTopic: envelope?.originalTopic, error: envelope?.error },
              'record dead-lettered',
            );
            await consumer.ack(msg);
          }
        } catch (err) {
          logger.debug({ dlq: topic, err: (err as Error).message }, 'dead-letter watch ended');
        }
      })(),
    );
  }
  return {
    status: (): DeadLetterView[] => [...views.values()].map((v) => ({ ...v })),
    async close(): Promise<void> {
      await Promise.allSettled(consumers.map((c) => c.close()));
      await Promise.allSettled(loops);
    },
  };
}
