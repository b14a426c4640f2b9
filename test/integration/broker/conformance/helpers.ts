// The real broker's integration scenarios (danube-broker/tests), replayed through our own
// client and admin client against the embedded broker over real gRPC on 127.0.0.1.
import { DanubeAdmin, type FailurePolicy, type PoisonPolicy } from '../../../../src/admin/index.js';
import { startBroker, type Broker, type BrokerOptions } from '../../../../src/broker/index.js';
import {
  DanubeClient,
  type Consumer,
  type ConsumerOptions,
  type DanubeClientOptions,
  type DanubeMessage,
  type Producer,
  type ProducerOptions,
} from '../../../../src/client/index.js';

/** Short client timings so that failure paths end quickly. */
const FAST: Partial<DanubeClientOptions> = {
  connectTimeoutMs: 8_000,
  requestTimeoutMs: 8_000,
  healthCheckIntervalMs: 300,
  retry: { maxRetries: 8, baseBackoffMs: 20, maxBackoffMs: 250 },
};

export interface Cluster {
  broker: Broker;
  /** A client of the service URL (as `test_utils::setup_client`). */
  client: DanubeClient;
  /** The admin client of the first broker's admin port (as `danube-admin` in the real tests). */
  admin: DanubeAdmin;
  newClient(extra?: Partial<DanubeClientOptions>): DanubeClient;
  newAdmin(token?: string): DanubeAdmin;
  close(): Promise<void>;
}

export async function startCluster(options: BrokerOptions = {}, clientOptions: Partial<DanubeClientOptions> = {}): Promise<Cluster> {
  const broker = await startBroker({ port: 0, ...options });
  const clients: DanubeClient[] = [];
  const admins: DanubeAdmin[] = [];
  const newClient = (extra: Partial<DanubeClientOptions> = {}): DanubeClient => {
    const c = new DanubeClient({ serviceUrl: broker.url, ...FAST, ...clientOptions, ...extra });
    clients.push(c);
    return c;
  };
  const newAdmin = (token?: string): DanubeAdmin => {
    const a = new DanubeAdmin({ adminUrl: broker.adminUrl, timeoutMs: 5_000, ...(token ? { token } : {}) });
    admins.push(a);
    return a;
  };
  return {
    broker,
    client: newClient(),
    admin: newAdmin(clientOptions.token),
    newClient,
    newAdmin,
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      admins.forEach((a) => a.close());
      await broker.close();
    },
  };
}

let seq = 0;
/** `test_utils::unique_topic`: a fresh topic per test. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now()}${seq++}`;
}

export const text = (m: DanubeMessage): string => Buffer.from(m.payload).toString();
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function producer(cluster: Cluster, options: ProducerOptions, client = cluster.client): Promise<Producer> {
  return client.createProducer(options);
}

export function consumer(cluster: Cluster, options: ConsumerOptions, client = cluster.client): Promise<Consumer> {
  return client.subscribe(options);
}

/**
 * Waits until the broker has `count` consumers with an open stream on the subscription (every
 * partition of `topic`): non-reliable messages published before that would be dropped. The
 * real tests sleep 300-500 ms instead.
 */
export async function attached(cluster: Cluster, topic: string, subscription: string, count = 1, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const names = cluster.broker.admin.listTopics().filter((t) => t === topic || t.startsWith(`${topic}-part-`));
    const ok =
      names.length > 0 &&
      names.every(
        (t) =>
          (cluster.broker.admin
            .describeTopic(t)
            ?.subscriptions.find((s) => s.name === subscription)
            ?.consumers.filter((c) => c.connected).length ?? 0) >= count,
      );
    if (ok) return;
    if (Date.now() > until) throw new Error(`${count} consumer(s) of ${subscription} on ${topic} never attached`);
    await sleep(20);
  }
}

/** Receives one message or fails after `timeoutMs`. */
export async function next(c: Consumer, timeoutMs = 5_000): Promise<DanubeMessage> {
  const m = await c.receive({ timeoutMs });
  if (!m) throw new Error(`no message on ${c.topic}/${c.subscription} within ${timeoutMs} ms`);
  return m;
}

/** Receives `count` messages (acking each unless `ack` is false), failing after `timeoutMs` in all. */
export async function take(c: Consumer, count: number, { ack = true, timeoutMs = 10_000 } = {}): Promise<DanubeMessage[]> {
  const out: DanubeMessage[] = [];
  const until = Date.now() + timeoutMs;
  while (out.length < count) {
    const left = until - Date.now();
    const m = left > 0 ? await c.receive({ timeoutMs: left }) : undefined;
    if (!m) throw new Error(`received ${out.length} of ${count} messages on ${c.topic}/${c.subscription} within ${timeoutMs} ms`);
    out.push(m);
    if (ack) await c.ack(m);
  }
  return out;
}

/**
 * Consumers reading (and acking) concurrently into one list, as the real tests' receiver tasks
 * feeding one channel. Consumers can join while it runs (churn).
 */
export class Collector {
  readonly got: Array<{ consumer: string; message: DanubeMessage }> = [];
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(
    consumers: Record<string, Consumer> = {},
    private readonly ack = true,
  ) {
    for (const [name, c] of Object.entries(consumers)) this.add(name, c);
  }

  add(name: string, c: Consumer): void {
    this.loops.push(
      (async () => {
        while (!this.stopped) {
          const m = await c.receive({ timeoutMs: 100 }).catch(() => undefined);
          if (!m || this.stopped) continue;
          this.got.push({ consumer: name, message: m });
          if (this.ack) await c.ack(m).catch(() => undefined);
        }
      })(),
    );
  }

  /** Resolves once `total` messages arrived in all; fails after `timeoutMs`. */
  async waitFor(total: number, timeoutMs = 15_000): Promise<Array<{ consumer: string; message: DanubeMessage }>> {
    const until = Date.now() + timeoutMs;
    while (this.got.length < total) {
      if (Date.now() > until) {
        await this.stop();
        throw new Error(`received ${this.got.length} of ${total} messages within ${timeoutMs} ms`);
      }
      await sleep(10);
    }
    return this.got;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  count(name: string): number {
    return this.got.filter((g) => g.consumer === name).length;
  }
}

/** Reads `total` messages across `consumers`, then stops reading. */
export async function collect(
  consumers: Record<string, Consumer>,
  total: number,
  timeoutMs = 15_000,
): Promise<Array<{ consumer: string; message: DanubeMessage }>> {
  const collector = new Collector(consumers);
  const got = await collector.waitFor(total, timeoutMs);
  await collector.stop();
  return got;
}

/** Nothing arrives within `ms` (the real tests' `timeout(..).is_err()`). */
export async function silent(c: Consumer, ms: number): Promise<boolean> {
  return (await c.receive({ timeoutMs: ms })) === undefined;
}

/** The real tests' `fixed_failure_policy`: a fixed 50 ms redelivery backoff. */
export function fixedPolicy(maxRedeliveryCount: number, ackTimeoutMs: number, poisonPolicy: PoisonPolicy, deadLetterTopic?: string): FailurePolicy {
  return {
    maxRedeliveryCount,
    ackTimeoutMs,
    baseRedeliveryDelayMs: 50,
    maxRedeliveryDelayMs: 50,
    backoff: 'fixed',
    poisonPolicy,
    ...(deadLetterTopic ? { deadLetterTopic } : {}),
  };
}
