import type { SourceClient, SourceProducer } from '../../source/publisher.js';
import type { WebhookPublisher } from './receiver.js';

export interface ProducerPublisherOptions {
  /** Producer names are `<prefix>-<topic>`; the broker treats the same name as the same producer. */
  namePrefix?: string;
  dispatch?: 'reliable' | 'non-reliable';
}

/**
 * A {@link WebhookPublisher} on a Danube client: one producer per topic, created on first use
 * and kept for the life of the container (warm invocations reuse it). A producer whose creation
 * failed is forgotten so the next request tries again.
 *
 * @example
 * const receiver = new WebhookReceiver(options, { publisher: producerPublisher(new DanubeClient({ serviceUrl })) });
 */
export function producerPublisher(client: SourceClient, options: ProducerPublisherOptions = {}): WebhookPublisher & { close(): Promise<void> } {
  const producers = new Map<string, Promise<SourceProducer>>();
  const prefix = options.namePrefix ?? 'webhook';
  return {
    async publish(topic, payload, { attributes, key, partitions }) {
      let producer = producers.get(topic);
      if (!producer) {
        producer = client.createProducer({
          topic,
          name: `${prefix}-${topic.replace(/\//g, '-').replace(/^-/, '')}`,
          dispatch: options.dispatch ?? 'reliable',
          // Requests are independent: pipelining lets concurrent requests share the connection.
          mode: 'pipelined',
          ...(partitions ? { partitions } : {}),
        });
        producers.set(topic, producer);
        producer.catch(() => producers.delete(topic));
      }
      await (await producer).send(payload, key !== undefined ? { attributes, key } : { attributes });
    },
    async close() {
      await Promise.all([...producers.values()].map((p) => p.then((x) => x.close()).catch(() => {})));
      producers.clear();
    },
  };
}
