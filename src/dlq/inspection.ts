// The inspection subscription: how the dead-letter tooling reads a dead-letter topic. Danube has
// no "peek" and a new subscription starts at the latest message, so every dead-letter topic gets,
// when it is provisioned, a subscription of its own that nothing but the tooling reads. Looking
// reads it without acking (closing the consumer gives every record back); only a redrive acks,
// and only what it sent. Its backlog is therefore "what is on the dead-letter topic and has not
// been redriven".
import type { DanubeAdmin, FailurePolicy } from '../admin/index.js';

/** The subscription every dead-letter topic is read through. */
export const INSPECTION_SUBSCRIPTION = 'danube-dlq-inspect';

/**
 * Records the inspection subscription may hold unacked at once: the broker's upper bound. A look
 * sees at most this many records (per partition) that have not been redriven.
 */
export const INSPECTION_WINDOW = 10_000;

/**
 * Its failure policy: a look holds records unacked for as long as it reads, and every look
 * delivers them again, so neither the ack timeout nor the redelivery count may ever make the
 * broker apply a poison policy to a dead letter.
 */
export const INSPECTION_FAILURE_POLICY: Readonly<Partial<FailurePolicy>> = Object.freeze({
  ackTimeoutMs: 3_600_000,
  maxRedeliveryCount: 1_000_000_000,
  poisonPolicy: 'block',
});

/** What creating the inspection subscription needs from a Danube client: subscribe once and leave. */
export interface InspectionClient {
  subscribe(options: { topic: string; subscription: string; consumerName: string; type: 'shared'; dispatch: 'reliable' }): Promise<{
    close(): Promise<void>;
  }>;
}

/**
 * Sets the inspection subscription's window and failure policy on every partition of a
 * dead-letter topic (before it exists: a real broker reads them when it creates the
 * subscription), then creates it by subscribing once. Leaves an existing one as it is, apart
 * from its settings. Returns true when it created the subscription.
 *
 * @example
 * await ensureInspectionSubscription(admin, client, '/default/orders-dlq', ['/default/orders-dlq']);
 */
export async function ensureInspectionSubscription(
  admin: DanubeAdmin,
  client: InspectionClient,
  topic: string,
  partitions: readonly string[],
): Promise<boolean> {
  for (const name of partitions) {
    await admin.subscriptions.setMaxUnacked(name, INSPECTION_SUBSCRIPTION, INSPECTION_WINDOW);
    await admin.subscriptions.setFailurePolicy(name, INSPECTION_SUBSCRIPTION, INSPECTION_FAILURE_POLICY);
  }
  const present = await Promise.all(partitions.map((n) => admin.subscriptions.list(n)));
  if (present.every((subs) => subs.includes(INSPECTION_SUBSCRIPTION))) return false;
  const consumer = await client.subscribe({
    topic,
    subscription: INSPECTION_SUBSCRIPTION,
    consumerName: `${INSPECTION_SUBSCRIPTION}-provision`,
    type: 'shared',
    dispatch: 'reliable',
  });
  await consumer.close();
  return true;
}
