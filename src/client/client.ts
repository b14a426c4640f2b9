import type { Logger } from '../core/logger.js';
import { CallAuth } from './auth.js';
import { parseClientOptions, type DanubeClientOptions, type ResolvedClientOptions } from './client-options.js';
import type { ConnectionPool } from './connection-pool.js';
import { ConnectivityTracker, DEFAULT_CONNECTIVITY_GRACE_MS, WatchedConnectionPool, type ClientConnectivity } from './connectivity.js';
import { DeadlineSweeper } from './deadline-sweeper.js';
import { Consumer } from './consumer.js';
import type { ConsumerOptions } from './consumer-options.js';
import type { ClientContext, Closeable } from './context.js';
import { ClientClosedError } from './errors.js';
import { Producer } from './producer.js';
import type { ProducerOptions } from './producer-options.js';
import { SchemaRegistry } from './schema-registry.js';

/**
 * Entry point of the Danube client: owns one HTTP/2 channel per broker URL, shared by every
 * producer, consumer, lookup and registry call made through it.
 *
 * @example
 * const client = new DanubeClient({ serviceUrl: 'http://127.0.0.1:6650', token: process.env.DANUBE_JWT });
 * const producer = await client.createProducer({ topic: '/default/orders', name: 'orders-src' });
 * await producer.send(JSON.stringify({ id: 1 }), { key: 'cust-7' });
 * const consumer = await client.subscribe({ topic: '/default/orders', subscription: 'audit' });
 * for await (const msg of consumer) { await consumer.ack(msg); break; }
 * await client.close();
 */
export class DanubeClient {
  /** The broker's schema registry, through this client's connection and credentials. */
  readonly schemaRegistry: SchemaRegistry;
  private readonly ctx: ClientContext;
  private readonly options: ResolvedClientOptions;
  private readonly pool: ConnectionPool;
  private readonly tracker = new ConnectivityTracker();
  private readonly children = new Set<Closeable>();
  private readonly abort = new AbortController();
  private readonly sweeper = new DeadlineSweeper();
  private closing: Promise<void> | undefined;

  constructor(options: DanubeClientOptions) {
    this.options = parseClientOptions(options);
    this.pool = new WatchedConnectionPool(this.tracker, this.options.tls, this.options.channelOptions, this.options.transport);
    const auth = new CallAuth(this.options.token, this.options.tokenSupplier);
    const signal = this.abort.signal;
    const children = this.children;
    const registryHolder: { registry?: SchemaRegistry } = {};
    this.ctx = {
      options: this.options,
      pool: this.pool,
      auth,
      logger: this.options.logger,
      signal,
      sweeper: this.sweeper,
      get registry() {
        return registryHolder.registry!;
      },
      ensureOpen(operation: string, topic?: string) {
        if (signal.aborted) {
          throw new ClientClosedError(`${operation}${topic ? ` on ${topic}` : ''}: the client is closed`, { topic, retryable: false });
        }
      },
      track: (child) => void children.add(child),
      untrack: (child) => void children.delete(child),
    };
    this.schemaRegistry = new SchemaRegistry(this.ctx);
    registryHolder.registry = this.schemaRegistry;
  }

  get serviceUrl(): string {
    return this.options.serviceUrl;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  /** Number of HTTP/2 channels open (one per broker URL in use). */
  get channelCount(): number {
    return this.pool.size;
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  /**
   * Whether this client can reach its broker(s), read from each HTTP/2 channel's connectivity
   * state (no RPC is made): a broker whose channel has been connecting or failing for longer than
   * `graceMs` (default {@link DEFAULT_CONNECTIVITY_GRACE_MS}) is unreachable until it is READY
   * again. Covers the service URL and every broker a lookup led to; a closed client is unreachable.
   *
   * @example
   * const { reachable, brokers } = client.connectivity();
   * if (!reachable) logger.warn({ brokers }, 'broker unreachable; producers and consumers are retrying');
   */
  connectivity(options: { graceMs?: number } = {}): ClientConnectivity {
    if (this.closed) return { reachable: false, brokers: [] };
    // The service URL is always covered, even before the first call opened its channel.
    this.pool.get(this.options.serviceUrl);
    return this.tracker.snapshot(options.graceMs ?? DEFAULT_CONNECTIVITY_GRACE_MS);
  }

  /**
   * Creates a producer (and the topic or its partitions, which the broker auto-creates).
   * Bounded by `connectTimeoutMs`; `options.signal` cancels it (rejects with `AbortedError`).
   */
  async createProducer(options: ProducerOptions): Promise<Producer> {
    this.ctx.ensureOpen('create producer', options?.topic);
    return Producer.create(this.ctx, options);
  }

  /**
   * Subscribes to a topic (all its partitions). Bounded by `connectTimeoutMs`; `options.signal`
   * cancels it (rejects with `AbortedError`).
   *
   * @example
   * const consumer = await client.subscribe({ topic: '/default/orders', subscription: 'audit', signal: AbortSignal.timeout(2_000) });
   */
  async subscribe(options: ConsumerOptions): Promise<Consumer> {
    this.ctx.ensureOpen('subscribe', options?.topic);
    return Consumer.create(this.ctx, options);
  }

  /**
   * Closes consumers, flushes and closes producers, then closes every channel. Safe to call
   * more than once; afterwards every operation fails with `ClientClosedError`.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const children = [...this.children];
      // Producers get to finish what is in flight before the channels go away.
      await Promise.allSettled(children.map((child) => child.close()));
      this.abort.abort();
      this.sweeper.close();
      this.pool.close();
    })();
    return this.closing;
  }
}
