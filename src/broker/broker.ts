import { status } from '@grpc/grpc-js';
import { BrokerAdmin } from './admin.js';
import { JwtAuthenticator } from './auth.js';
import { Faults } from './faults.js';
import { BrokerNode } from './node.js';
import { BrokerProxy } from './proxy.js';
import { parseBrokerOptions, type BrokerOptions } from './options.js';
import { BrokerState } from './state.js';
import { reloadTopics } from './reload.js';
import { openDataDir } from './wal-load.js';

/**
 * A running embedded broker (or an in-process cluster of `brokers` brokers).
 *
 * @example
 * const broker = await startBroker({ port: 0 });
 * broker.url; // "http://127.0.0.1:41234"
 * await broker.close();
 */
export interface Broker {
  /** The service URL clients start from: the first broker's, or the proxy's with `proxy: true`. */
  readonly url: string;
  /** The proxy's URL with `proxy: true`. */
  readonly proxyUrl: string | undefined;
  /** Every broker's URL, in order. */
  readonly urls: string[];
  /**
   * The first broker's admin API URL (`danube_admin.*` and the schema registry), on its own
   * port as with the real broker: `adminPort` (broker i gets `adminPort + i`), any free port by default.
   */
  readonly adminUrl: string;
  /** Every broker's admin API URL, in order. */
  readonly adminUrls: string[];
  readonly admin: BrokerAdmin;
  readonly faults: Faults;
  /**
   * Stops and starts every broker on the same ports, as a process restart does:
   * producers and consumers are forgotten (HealthCheck CLOSE, SendMessage NOT_FOUND),
   * topics, subscriptions, cursors and retained messages stay (read back from
   * `dataDir` when set).
   */
  restart(): Promise<void>;
  /** Ends all streams and stops listening. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts the embedded Danube-compatible broker.
 *
 * @example
 * const broker = await startBroker({ port: 0, dispatch: { ackTimeoutMs: 300 } });
 */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const opts = parseBrokerOptions(options);
  let state = new BrokerState(opts, opts.logger);
  if (opts.dataDir) await openDataDir(state, opts.dataDir);
  const auth = opts.auth ? new JwtAuthenticator(opts.auth.jwtSecret) : null;
  const faults = new Faults((filter) => dropStreams(state, filter));
  const admin = new AdminHolder(state);
  let nodes: BrokerNode[] = [];
  const proxy = opts.proxy ? new BrokerProxy(opts.host, opts.port === 0 ? 0 : opts.port + opts.brokers, opts.tls, () => nodes) : undefined;
  const view = { peers: () => nodes, proxyUrl: () => proxy?.url() };
  const makeNodes = (ports: Array<[port: number, adminPort: number]>): BrokerNode[] =>
    ports.map(([port, adminPort], i) => new BrokerNode(i, state, auth, faults, opts.host, { port, adminPort, tls: opts.tls, adminTls: opts.adminTls }, view));
  const from = (base: number, i: number): number => (base === 0 ? 0 : base + i);
  nodes = makeNodes(Array.from({ length: opts.brokers }, (_, i) => [from(opts.port, i), from(opts.adminPort, i)]));
  try {
    for (const n of nodes) await n.start();
    await proxy?.start();
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    await proxy?.stop();
    await state.persistence?.close();
    throw err;
  }
  for (const n of nodes) opts.logger.info({ url: n.url(), adminUrl: n.adminUrl(), broker: n.index }, 'danube broker listening');
  if (proxy) opts.logger.info({ url: proxy.url() }, 'danube broker proxy listening');

  let closed = false;
  let closing: Promise<void> | undefined;
  const stopAll = async (): Promise<void> => {
    await Promise.all([...nodes.map((n) => n.stop()), proxy?.stop()]);
    for (const t of state.topics.values()) t.close();
  };

  return {
    get url() {
      return proxy ? proxy.url() : nodes[0]!.url();
    },
    get proxyUrl() {
      return proxy?.url();
    },
    get urls() {
      return nodes.map((n) => n.url());
    },
    get adminUrl() {
      return nodes[0]!.adminUrl();
    },
    get adminUrls() {
      return nodes.map((n) => n.adminUrl());
    },
    get admin() {
      return admin.current;
    },
    faults,
    async restart() {
      if (closed) throw new Error('broker is closed');
      const ports = nodes.map((n): [number, number] => [n.port, n.adminPort]);
      await stopAll();
      const next = new BrokerState(opts, opts.logger);
      // The same brokers come back: their ids and states survive the restart.
      next.brokerIds = state.brokerIds;
      next.brokerStatus = state.brokerStatus;
      if (opts.dataDir) {
        await state.persistence?.close();
        await openDataDir(next, opts.dataDir);
      } else {
        reloadTopics(state, next);
      }
      state = next;
      admin.current = new BrokerAdmin(state);
      nodes = makeNodes(ports);
      for (const n of nodes) await n.start();
      await proxy?.start();
    },
    close() {
      closing ??= (async () => {
        closed = true;
        await stopAll();
        await state.persistence?.close();
      })();
      return closing;
    },
  };
}

class AdminHolder {
  current: BrokerAdmin;
  constructor(state: BrokerState) {
    this.current = new BrokerAdmin(state);
  }
}

function dropStreams(state: BrokerState, filter: { topic?: string; subscription?: string; consumerName?: string }): number {
  let n = 0;
  for (const c of state.consumers.values()) {
    if (!c.attached) continue;
    if (filter.topic && c.subscription.topic.name !== filter.topic) continue;
    if (filter.subscription && c.subscription.name !== filter.subscription) continue;
    if (filter.consumerName && c.name !== filter.consumerName) continue;
    c.endStream(status.UNAVAILABLE, 'connection lost (injected fault)');
    n++;
  }
  return n;
}
