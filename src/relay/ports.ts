// What the relay needs from a Danube client. `DanubeClient` satisfies these structurally; keeping
// them narrow documents exactly which calls the relay makes.

/** A delivered message as the relay uses it (a `DanubeMessage` fits). */
export interface RelayDelivery {
  topic: string;
  logicalTopic?: string;
  offset: bigint;
  payload: Uint8Array;
  publishTime: number;
  producerName: string;
  attributes: Record<string, string>;
  routingKey?: string;
  schemaId?: bigint;
  schemaVersion?: number;
  requestId?: bigint;
}

export interface RelayConsumer<M extends RelayDelivery = RelayDelivery> {
  /** Next message; resolves undefined when `signal` aborts; rejects when closed or failed. */
  receive(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<M | undefined>;
  ack(message: M): Promise<void>;
  close(): Promise<void>;
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

export interface RelayClient {
  subscribe(options: RelaySubscribeOptions): Promise<RelayConsumer>;
  createProducer(options: { topic: string; name: string; dispatch?: 'reliable' | 'non-reliable' }): Promise<RelayProducer>;
  close(): Promise<void>;
}
