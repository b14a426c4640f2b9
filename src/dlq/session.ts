// One read of a dead-letter topic through its inspection subscription: everything the broker
// hands over until it has nothing more for a while, never acked unless the caller acks it.
// Closing the consumer gives every unacked record back to the subscription.
import { randomBytes } from 'node:crypto';
import { INSPECTION_SUBSCRIPTION } from './inspection.js';
import { toDeadLetterRecord, type DeadLetterMessage } from './record.js';
import type { DeadLetterRecord } from './types.js';

/** A consumer of the inspection subscription, as the tooling uses it (`Consumer` fits). */
export interface DeadLetterConsumer<M extends DeadLetterMessage = DeadLetterMessage> {
  receive(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<M | undefined>;
  ack(message: M): Promise<void>;
  close(): Promise<void>;
}

export interface DeadLetterProducer {
  send(payload: Uint8Array | string, options?: { attributes?: Record<string, string>; key?: string }): Promise<unknown>;
  close(): Promise<void>;
}

/** What the tooling needs from a Danube client (`DanubeClient` fits). */
export interface DeadLetterClient {
  subscribe(options: {
    topic: string;
    subscription: string;
    consumerName: string;
    type: 'shared';
    dispatch: 'reliable';
    bufferSize?: number;
  }): Promise<DeadLetterConsumer>;
  createProducer(options: { topic: string; name: string; dispatch?: 'reliable' | 'non-reliable' }): Promise<DeadLetterProducer>;
}

/** A record read in a session, with the message it came from (to ack it). */
export interface SessionRecord {
  record: DeadLetterRecord;
  message: DeadLetterMessage;
}

/**
 * Opens a read of the inspection subscription. Its type is `shared` so that two readers at
 * once never take each other's stream over; each then sees part of the records, which is why
 * one reader at a time is the way to look (docs/operating.md).
 */
export async function openSession(client: DeadLetterClient, topic: string, options: { idleMs: number; previewBytes?: number }) {
  const consumer = await client.subscribe({
    topic,
    subscription: INSPECTION_SUBSCRIPTION,
    consumerName: `danube-dlq-${randomBytes(4).toString('hex')}`,
    type: 'shared',
    dispatch: 'reliable',
    bufferSize: 1000,
  });
  const seen = new Set<string>();
  return {
    consumer,
    /**
     * Every record until none arrived for `idleMs` (or `signal` aborts). A record the broker
     * delivers twice in one read (its ack timeout passed while it was held) is handed out once.
     */
    async *records(signal?: AbortSignal): AsyncGenerator<SessionRecord> {
      while (!signal?.aborted) {
        const message = await consumer.receive({ timeoutMs: options.idleMs, ...(signal ? { signal } : {}) });
        if (!message) return;
        const record = toDeadLetterRecord(message, options.previewBytes);
        if (seen.has(record.id)) continue;
        seen.add(record.id);
        yield { record, message };
      }
    },
    ack: (message: DeadLetterMessage) => consumer.ack(message),
    /** Ends the read: what was not acked goes back to the subscription. */
    close: () => consumer.close(),
  };
}

export type Session = Awaited<ReturnType<typeof openSession>>;
