import { startBroker, type Broker, type BrokerOptions } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import type { SinkRecord } from '../../../src/core/records.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { RelayConfigInput } from '../../../src/relay/index.js';

export interface Env {
  broker: Broker;
  client: DanubeClient;
  close(): Promise<void>;
}

/** The client transports the broker-fault tests run against (see test/integration/client). */
export const TRANSPORTS = ['lean', 'grpc-js'] as const;

/** An embedded broker on an ephemeral port and a client on it. */
export async function startEnv(dispatch: BrokerOptions['dispatch'] = {}, transport: (typeof TRANSPORTS)[number] = 'lean'): Promise<Env> {
  const broker = await startBroker({ port: 0, dispatch: { maxUnackedMessages: 1000, ...dispatch }, logger: silentLogger });
  const client = new DanubeClient({ serviceUrl: broker.url, logger: silentLogger, transport });
  return {
    broker,
    client,
    async close() {
      await client.close();
      await broker.close();
    },
  };
}

/** Publishes `n` messages (`{"i":k}`) on a reliable topic; `key(k)` sets a routing key. */
export async function publish(
  client: DanubeClient,
  topic: string,
  n: number,
  opts: {
    key?: (i: number) => string;
    attributes?: (i: number) => Record<string, string>;
    body?: (i: number) => string;
    from?: number;
    dispatch?: 'reliable' | 'non-reliable';
  } = {},
): Promise<void> {
  const producer = await client.createProducer({ topic, name: `p-${Math.random().toString(16).slice(2, 8)}`, dispatch: opts.dispatch ?? 'reliable' });
  const from = opts.from ?? 0;
  const sends: Promise<unknown>[] = [];
  // Not awaited one by one: the producer keeps publish order per partition ('ordered' mode).
  for (let i = from; i < from + n; i++) {
    const send: { key?: string; attributes?: Record<string, string> } = {};
    if (opts.key) send.key = opts.key(i);
    if (opts.attributes) send.attributes = opts.attributes(i);
    sends.push(producer.send(opts.body ? opts.body(i) : JSON.stringify({ i }), send));
  }
  await Promise.all(sends);
  await producer.flush();
  await producer.close();
}

/** Reads everything on a topic for a while (a fresh subscription, so start it before publishing). */
export async function collector(client: DanubeClient, topic: string) {
  const consumer = await client.subscribe({ topic, subscription: `collect-${Math.random().toString(16).slice(2, 8)}`, type: 'exclusive' });
  const got: Array<{ payload: string; attributes: Record<string, string> }> = [];
  void (async () => {
    try {
      for await (const m of consumer) {
        got.push({ payload: new TextDecoder().decode(m.payload), attributes: m.attributes });
        await consumer.ack(m);
      }
    } catch {
      /* closed */
    }
  })();
  return { got, close: () => consumer.close() };
}

export const indexOf = (r: SinkRecord): number => (r.json() as { i: number }).i;

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let seq = 0;
/** Creates a reliable topic with a unique name (the relay subscribes before anything is published). */
export function createTopic(env: Env, prefix: string, partitions?: number, dispatch: 'reliable' | 'non-reliable' = 'reliable'): string {
  const topic = `/default/${prefix}-${process.pid}-${++seq}`;
  env.broker.admin.createTopic(topic, { dispatch, ...(partitions ? { partitions } : {}) });
  return topic;
}

/** A binding with test-friendly defaults (short window, a declared big broker window). */
export function binding(over: Partial<RelayConfigInput['bindings'][number]> & { name: string; topic: string }): RelayConfigInput['bindings'][number] {
  return {
    subscription: { name: `${over.name}-sub`, maxUnackedMessages: 1000 },
    function: { type: 'local', module: 'unused' },
    maxBatchingWindowMs: 50,
    batchSize: 10,
    retryBackoff: { initialDelayMs: 20, maxDelayMs: 100 },
    ...over,
  } as RelayConfigInput['bindings'][number];
}
