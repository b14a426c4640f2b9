import type { DeadLetterTopic } from '../dlq/types.js';

/**
 * The same dead-letter topic, one operation at a time: each read goes through the topic's one
 * shared inspection subscription, so two at once (the page refreshing while a redrive runs) would
 * split its records between them and each would see only a part.
 *
 * @example
 * const dlq = oneAtATime(await openDeadLetterTopic(topic, { client }));
 */
export function oneAtATime(dlq: DeadLetterTopic): DeadLetterTopic {
  let tail: Promise<unknown> = Promise.resolve();
  const queue = <T>(run: () => Promise<T>): Promise<T> => {
    const next = tail.then(run, run);
    tail = next.catch(() => undefined);
    return next;
  };
  return {
    topic: dlq.topic,
    summary: (filter) => queue(() => dlq.summary(filter)),
    list: (filter, options) => queue(() => dlq.list(filter, options)),
    redrive: (filter, options) => queue(() => dlq.redrive(filter, options)),
    close: () => queue(() => dlq.close()),
  };
}
