import { sleep } from '../core/retry.js';
import type { Logger } from '../core/logger.js';
import type { RelayClient, RelayDelivery, RelayProducer } from './ports.js';
import type { DeadLetterReason } from './tracked-record.js';

/** Attributes a dead-letter record carries besides the original ones (design §4). */
export interface DeadLetterInfo {
  reason: DeadLetterReason;
  error: string;
  attempts: number;
  binding: string;
  subscription: string;
}

/**
 * The original attributes plus `x-dlq-*` / `x-original-*` (ours win over same-named originals).
 *
 * @example
 * deadLetterAttributes(msg, { reason: 'retries-exhausted', error: 'HTTP 500', attempts: 4, binding: 'orders', subscription: 'orders-pg' });
 * // { ...msg.attributes, 'x-dlq-reason': 'retries-exhausted', 'x-original-offset': '42', ... }
 */
export function deadLetterAttributes(msg: RelayDelivery, info: DeadLetterInfo): Record<string, string> {
  return {
    ...msg.attributes,
    'x-dlq-reason': info.reason,
    'x-dlq-error': info.error.slice(0, 1000),
    'x-original-topic': msg.topic,
    'x-original-offset': msg.offset.toString(),
    'x-original-publish-time': String(msg.publishTime),
    'x-original-producer': msg.producerName,
    'x-original-subscription': info.subscription,
    'x-attempts': String(info.attempts),
    'x-binding': info.binding,
  };
}

/**
 * Publishes records to a binding's dead-letter topic, creating the producer on first use (a
 * reliable topic: a dead letter must not be dropped). A
 * failed publish is retried (with backoff) until it succeeds or `signal` aborts: the original is
 * acked only after its copy is safely on the dead-letter topic.
 *
 * @example
 * const dlq = new DeadLetterPublisher(client, '/default/orders-dlq', 'orders-relay-dlq', logger);
 * await dlq.publish(msg, info, signal);
 * await consumer.ack(msg);
 */
export class DeadLetterPublisher {
  private producer: Promise<RelayProducer> | undefined;

  constructor(
    private readonly client: RelayClient,
    private readonly topic: string,
    private readonly producerName: string,
    private readonly logger: Logger,
  ) {}

  async publish(msg: RelayDelivery, info: DeadLetterInfo, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const producer = await this.getProducer();
        await producer.send(msg.payload, {
          attributes: deadLetterAttributes(msg, info),
          ...(msg.routingKey ? { key: msg.routingKey } : {}),
        });
        return;
      } catch (err) {
        // Start over with a fresh producer, and close the old one so its health checks stop.
        void this.close();
        if (signal.aborted) throw err;
        const delay = Math.min(10_000, 200 * 2 ** Math.min(attempt, 6));
        this.logger.warn({ dlq: this.topic, topic: msg.topic, offset: msg.offset, attempt, err: (err as Error).message }, 'dead-letter publish failed; retrying');
        await sleep(delay, signal);
      }
    }
  }

  private getProducer(): Promise<RelayProducer> {
    this.producer ??= this.client.createProducer({ topic: this.topic, name: this.producerName, dispatch: 'reliable' }).catch((err: unknown) => {
      this.producer = undefined;
      throw err;
    });
    return this.producer;
  }

  async close(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    if (p) await p.then((x) => x.close()).catch(() => undefined);
  }
}
