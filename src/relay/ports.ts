import type { DanubeMessage } from '../client/index.js';

// What the relay needs from a Danube client. `DanubeClient` satisfies these structurally; keeping
// them narrow documents exactly which calls the relay makes.

/**
 * A delivered message as the relay uses it: a `DanubeMessage` without the wire id the consumer
 * keeps for acks, so that tests and other consumers can hand the relay plain objects.
 */
export type RelayDelivery = Omit<DanubeMessage, 'logicalTopic' | 'requestId' | 'msgId'> & Partial<Pick<DanubeMessage, 'logicalTopic' | 'requestId'>>;

export interface RelayConsumer<M extends RelayDelivery = RelayDelivery> {
  /** Next message; resolves undefined when `signal` aborts; rejects when closed or failed. */
  receive(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<M | undefined>;
  ack(message: M): Promise<void>;
  close(): Promise<void>;
  /**
   * Whether every partition is receiving right now (`Consumer.state()`); false while the consumer
   * resubscribes after a broker outage. Optional: without it a subscribed consumer counts as attached.
   */
  state?(): { attached: boolean; detachedSince?: number };
}

export interface RelayProducer {
  send(payload: Uint8Array | string, options?: { attributes?: Record<string, string>; key?: string }): Promise<unknown>;
  close(): Promise<void>;
}

export interface RelaySubscribeOptions {
  topic: string;
  subscription: string;
  consumerName?: string;
  type?: 'exclusive' | 'shared' | 'failover' | 'key-shared';
  keyFilters?: string[];
  bufferSize?: number;
  dispatch?: 'reliable' | 'non-reliable';
}

/** One broker as the client sees it: `reachable` turns false after a grace period without a connection. */
export interface RelayBrokerConnectivity {
  url: string;
  state: string;
  reachable: boolean;
  failingSince?: number;
}

export interface RelayClient {
  /**
   * Whether the client can reach its broker(s), without an RPC (`DanubeClient.connectivity()`).
   * Optional: without it `/readyz` judges by the subscriptions alone. `graceMs` is how long a
   * broker may be unconnected and still count as reachable (the relay's `readinessGraceMs`).
   */
  connectivity?(options?: { graceMs?: number }): { reachable: boolean; brokers: RelayBrokerConnectivity[] };
  /** The broker's schema registry (`DanubeClient.schemaRegistry`), for the schema-validating transform. */
  readonly schemaRegistry?: { getSchema(schemaId: bigint, version?: number): Promise<{ type: string; definition: string }> };
  subscribe(options: RelaySubscribeOptions): Promise<RelayConsumer>;
  createProducer(options: { topic: string; name: string; dispatch?: 'reliable' | 'non-reliable' }): Promise<RelayProducer>;
  close(): Promise<void>;
}
