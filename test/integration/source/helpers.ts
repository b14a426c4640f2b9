// Shared pieces of the source integration tests: an embedded broker, a real DanubeClient, a
// real DynamoDB-compatible server, and a source over a fixed list of items.
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient, type Consumer, type DanubeMessage } from '../../../src/client/index.js';
import { DynamoDbCheckpointStore } from '../../../src/checkpoint/index.js';
import { SourceRecord } from '../../../src/core/index.js';
import { defineSource, RECORD_ID_ATTRIBUTE, type SourceOptions } from '../../../src/source/index.js';
import { createCheckpointTable, localDynamoClient, type LocalDynamo } from '../../support/dynamo.js';

export const TABLE = 'source-checkpoints';

export interface Env {
  broker: Broker;
  client: DanubeClient;
  dynamo: LocalDynamo;
  store: DynamoDbCheckpointStore;
  close(): Promise<void>;
}

export async function setup(startDynamo: () => Promise<LocalDynamo>): Promise<Env> {
  const [broker, dynamo] = await Promise.all([startBroker({ port: 0, dispatch: { maxUnackedMessages: 1000 } }), startDynamo()]);
  await createCheckpointTable(dynamo.endpoint, TABLE);
  const client = new DanubeClient({
    serviceUrl: broker.url,
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 3_000,
    retry: { maxRetries: 2, baseBackoffMs: 20, maxBackoffMs: 100 },
  });
  const store = new DynamoDbCheckpointStore({ tableName: TABLE, client: localDynamoClient(dynamo.endpoint) });
  return {
    broker,
    client,
    dynamo,
    store,
    async close() {
      await client.close();
      store.close();
      await Promise.all([broker.close(), dynamo.close()]);
    },
  };
}

export const FAST_RETRY = { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 };

/**
 * A deterministic source over `items`: the checkpoint is the index of the next item, `size`
 * items per poll, keyed `k<index % 3>`. `beforePoll` runs first in every poll (to stall or fail).
 */
export function listSource(
  name: string,
  topic: string,
  items: number,
  size: number,
  extra: Partial<SourceOptions<number>> & {
    beforePoll?: (from: number, signal: AbortSignal) => Promise<void> | void;
  } = {},
) {
  const { beforePoll, ...options } = extra;
  return defineSource<number>({
    name,
    topic,
    initialCheckpoint: 0,
    retry: FAST_RETRY,
    async poll({ checkpoint, signal }) {
      const from = checkpoint ?? 0;
      await beforePoll?.(from, signal);
      const to = Math.min(items, from + size);
      const records = [];
      for (let i = from; i < to; i++) records.push(SourceRecord.fromJson({ item: i }, { key: `k${i % 3}` }));
      return { records, checkpoint: to, done: to >= items };
    },
    ...options,
  });
}

/**
 * Reads at least `atLeast` messages (waiting up to 5 s for each), then more until `quietMs` pass
 * with nothing new, acking everything.
 */
export async function drain(consumer: Consumer, atLeast = 0, { quietMs = 150, max = 10_000 } = {}): Promise<DanubeMessage[]> {
  const out: DanubeMessage[] = [];
  while (out.length < max) {
    const m = await consumer.receive({ timeoutMs: out.length < atLeast ? 5_000 : quietMs });
    if (!m) break;
    out.push(m);
    await consumer.ack(m);
  }
  return out;
}

export const itemOf = (m: DanubeMessage): number => (JSON.parse(Buffer.from(m.payload).toString()) as { item: number }).item;
export const idOf = (m: DanubeMessage): string | undefined => m.attributes[RECORD_ID_ATTRIBUTE];

/** A gate a poll can wait on until the test opens it. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** Creates `topic` (reliable, as sources create it) and subscribes to it, so nothing is missed. */
export async function watch(client: DanubeClient, topic: string): Promise<Consumer> {
  const setup = await client.createProducer({ topic, name: `setup${topic.replace(/\//g, '-')}`, dispatch: 'reliable' });
  await setup.close();
  return client.subscribe({ topic, subscription: 'test-watch', bufferSize: 1000 });
}
