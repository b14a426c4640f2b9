import { RECORD_ID_ATTRIBUTE } from '../core/attributes.js';
import { backoffDelay, BACKOFF_POLICIES } from '../core/backoff.js';
import { deadLetterAttributes, deadLetterOrigin, splitPartition, type DeadLetterEnvelope, type DeadLetterReason } from '../core/dead-letter.js';
import type { Logger } from '../core/logger.js';
import { sleep } from '../core/retry.js';
import type { RelayClient, RelayDelivery, RelayProducer } from './ports.js';
import { idOf, type TrackedRecord } from './tracked-record.js';

/**
 * The envelope of a record the relay dead-letters (origin `relay:<binding>`), from what the relay
 * knows of it: where it was read, its key and source record id, its attempts and failure times.
 *
 * @example
 * relayEnvelope(record, { reason: 'retries-exhausted', error: 'HTTP 500', errorClass: 'InvokeError' }, 'orders', Date.now());
 */
export function relayEnvelope(record: TrackedRecord<RelayDelivery>, why: RelayDeadLetter, binding: string, now: number): DeadLetterEnvelope {
  const msg = record.msg;
  const { topic, partition } = splitPartition(msg.topic);
  const envelope: DeadLetterEnvelope = {
    reason: why.reason,
    error: why.error,
    errorClass: why.errorClass,
    origin: deadLetterOrigin('relay', binding),
    attempts: Math.max(1, record.attempts),
    firstFailureAt: record.firstFailureAt ?? now,
    lastFailureAt: record.lastFailureAt ?? now,
    originalTopic: topic,
    originalOffset: msg.offset,
    originalRecordId: msg.attributes[RECORD_ID_ATTRIBUTE] ?? idOf(msg),
    originalPublishTime: msg.publishTime,
  };
  if (partition !== undefined) envelope.originalPartition = partition;
  if (msg.routingKey) envelope.originalKey = msg.routingKey;
  return envelope;
}

/** Why the relay dead-letters a record. */
export interface RelayDeadLetter {
  reason: DeadLetterReason;
  error: string;
  errorClass: string;
}

/**
 * Publishes records to a binding's dead-letter topic, creating the producer on first use (a
 * reliable topic: a dead letter must not be dropped). A
 * failed publish is retried (with backoff) until it succeeds or `signal` aborts: the original is
 * acked only after its copy is safely on the dead-letter topic.
 *
 * @example
 * const dlq = new DeadLetterPublisher(client, '/default/orders-dlq', 'orders-relay-dlq', logger);
 * await dlq.publish(msg, relayEnvelope(record, why, 'orders', Date.now()), signal);
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

  async publish(msg: RelayDelivery, envelope: DeadLetterEnvelope, signal: AbortSignal): Promise<void> {
    const attributes = deadLetterAttributes(msg.attributes, envelope);
    for (let attempt = 1; ; attempt++) {
      try {
        const producer = await this.getProducer();
        await producer.send(msg.payload, {
          attributes,
          ...(msg.routingKey ? { key: msg.routingKey } : {}),
        });
        return;
      } catch (err) {
        // Start over with a fresh producer, and close the old one so its health checks stop.
        void this.close();
        if (signal.aborted) throw err;
        const delay = backoffDelay(attempt, BACKOFF_POLICIES['dead-letter']);
        this.logger.warn(
          { dlq: this.topic, topic: msg.topic, offset: msg.offset, attempt, err: (err as Error).message },
          'dead-letter publish failed; retrying',
        );
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
