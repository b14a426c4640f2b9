import { connectivityState as GrpcState, type Channel } from '@grpc/grpc-js';
import { ConnectionPool, type BrokerConnection } from './connection-pool.js';

/**
 * How long a broker channel may be connecting or failing before `connectivity()` calls it
 * unreachable: long enough that a broker restart or one lost connection does not flap readiness.
 */
export const DEFAULT_CONNECTIVITY_GRACE_MS = 2_000;

export type BrokerChannelState = 'idle' | 'connecting' | 'ready' | 'transient-failure' | 'shutdown';

/** One broker URL's HTTP/2 channel as `DanubeClient.connectivity()` reports it. */
export interface BrokerConnectivity {
  url: string;
  state: BrokerChannelState;
  /** False once the channel has not been READY for longer than the grace period (or is shut down). */
  reachable: boolean;
  /** Since when (ms since epoch) the channel has been trying without success; absent while fine. */
  failingSince?: number;
}

export interface ClientConnectivity {
  /** Every broker this client talks to is reachable. */
  reachable: boolean;
  brokers: BrokerConnectivity[];
}

const STATE_NAMES: Record<GrpcState, BrokerChannelState> = {
  [GrpcState.IDLE]: 'idle',
  [GrpcState.CONNECTING]: 'connecting',
  [GrpcState.READY]: 'ready',
  [GrpcState.TRANSIENT_FAILURE]: 'transient-failure',
  [GrpcState.SHUTDOWN]: 'shutdown',
};

interface Watched {
  channel: Channel;
  failingSince: number | undefined;
}

/**
 * Follows each channel's grpc-js connectivity state as it changes, so that a probe is a map read
 * and never an RPC. IDLE neither starts nor ends a failure: grpc-js goes IDLE both when a
 * connection drops and between reconnect attempts, and a probe kicks an idle channel into
 * connecting so the next answer is backed by a real attempt.
 */
export class ConnectivityTracker {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Starts following `connection`'s channel (once per channel). */
  watch(connection: BrokerConnection): void {
    const known = this.watched.get(connection.url);
    if (known?.channel === connection.channel) return;
    const entry: Watched = { channel: connection.channel, failingSince: undefined };
    this.watched.set(connection.url, entry);
    this.observe(connection.url, entry, connection.channel.getConnectivityState(false));
  }

  /** Each followed broker's state; `graceMs` bounds how long connecting or failing still counts as reachable. */
  snapshot(graceMs: number = DEFAULT_CONNECTIVITY_GRACE_MS): ClientConnectivity {
    const now = this.now();
    const brokers: BrokerConnectivity[] = [];
    for (const [url, entry] of this.watched) {
      // Cheap: starts a TCP/TLS connect on an idle channel, no RPC.
      const state = entry.channel.getConnectivityState(true);
      const reachable = state !== GrpcState.SHUTDOWN && (entry.failingSince === undefined || now - entry.failingSince < graceMs);
      const b: BrokerConnectivity = { url, state: STATE_NAMES[state], reachable };
      if (entry.failingSince !== undefined) b.failingSince = entry.failingSince;
      brokers.push(b);
    }
    return { reachable: brokers.every((b) => b.reachable), brokers };
  }

  private observe(url: string, entry: Watched, state: GrpcState): void {
    if (state === GrpcState.READY) entry.failingSince = undefined;
    else if (state === GrpcState.CONNECTING || state === GrpcState.TRANSIENT_FAILURE) entry.failingSince ??= this.now();
    if (state === GrpcState.SHUTDOWN) {
      if (this.watched.get(url) === entry) this.watched.delete(url);
      return;
    }
    try {
      entry.channel.watchConnectivityState(state, Infinity, (err?: Error) => {
        if (!err) this.observe(url, entry, entry.channel.getConnectivityState(false));
      });
    } catch {
      // The channel was shut down between the read and the watch: the client is closing.
      if (this.watched.get(url) === entry) this.watched.delete(url);
    }
  }
}

/** A `ConnectionPool` whose every new channel is followed by `tracker`. */
export class WatchedConnectionPool extends ConnectionPool {
  constructor(
    private readonly tracker: ConnectivityTracker,
    ...args: ConstructorParameters<typeof ConnectionPool>
  ) {
    super(...args);
  }

  override get(url: string): BrokerConnection {
    const connection = super.get(url);
    this.tracker.watch(connection);
    return connection;
  }
}
