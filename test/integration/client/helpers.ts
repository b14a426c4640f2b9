import { startBroker, type Broker, type BrokerOptions } from '../../../src/broker/index.js';
import { DanubeClient, type DanubeClientOptions, type DanubeMessage, type Consumer } from '../../../src/client/index.js';

/** The transports of the hot calls; conformance and fault tests run against each. */
export const TRANSPORTS = ['lean', 'grpc-js'] as const;

/** Short timings so failure paths finish in well under a second. */
export const FAST: Partial<DanubeClientOptions> = {
  connectTimeoutMs: 5_000,
  requestTimeoutMs: 5_000,
  healthCheckIntervalMs: 200,
  retry: { maxRetries: 5, baseBackoffMs: 20, maxBackoffMs: 200 },
};

export interface Harness {
  broker: Broker;
  client: DanubeClient;
  newClient(extra?: Partial<DanubeClientOptions>): DanubeClient;
  close(): Promise<void>;
}

/** An embedded broker on 127.0.0.1:0 and a client for it; `close()` stops both. */
export async function harness(brokerOptions: BrokerOptions = {}, clientOptions: Partial<DanubeClientOptions> = {}): Promise<Harness> {
  const broker = await startBroker({ port: 0, ...brokerOptions });
  const clients: DanubeClient[] = [];
  const newClient = (extra: Partial<DanubeClientOptions> = {}) => {
    const c = new DanubeClient({ serviceUrl: broker.url, ...FAST, ...clientOptions, ...extra });
    clients.push(c);
    return c;
  };
  const client = newClient();
  return {
    broker,
    client,
    newClient,
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await broker.close();
    },
  };
}

export const text = (m: DanubeMessage | undefined) => (m ? Buffer.from(m.payload).toString() : undefined);

/** Receives `count` messages (acking each unless `ack` is false), failing after `timeoutMs`. */
export async function receiveN(consumer: Consumer, count: number, { ack = true, timeoutMs = 5_000 } = {}): Promise<DanubeMessage[]> {
  const out: DanubeMessage[] = [];
  const until = Date.now() + timeoutMs;
  while (out.length < count) {
    const left = until - Date.now();
    const m = left > 0 ? await consumer.receive({ timeoutMs: left }) : undefined;
    if (!m) throw new Error(`received ${out.length} of ${count} messages before the timeout`);
    out.push(m);
    if (ack) await consumer.ack(m);
  }
  return out;
}

/** True when nothing more arrives within `ms`. */
export async function quiet(consumer: Consumer, ms: number): Promise<DanubeMessage | undefined> {
  return consumer.receive({ timeoutMs: ms });
}
