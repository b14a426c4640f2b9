import { status, type Server } from '@grpc/grpc-js';
import type { JwtAuthenticator } from './auth.js';
import type { Faults } from './faults.js';
import { listen, newServer, shutdown, type TlsFiles } from './listen.js';
import { allServices } from './services/all.js';
import type { NodeContext } from './services/gate.js';
import type { BrokerState } from './state.js';

/** What a broker knows of the cluster around it. */
export interface ClusterView {
  peers(): BrokerNode[];
  /** The proxy's URL when clients go through one (lookups then answer `proxy=true`). */
  proxyUrl(): string | undefined;
}

/** One broker of the (in-process) cluster: a gRPC server on its own port. */
export class BrokerNode implements NodeContext {
  private server: Server | null = null;
  port: number;

  constructor(
    readonly index: number,
    readonly state: BrokerState,
    readonly auth: JwtAuthenticator | null,
    readonly faults: Faults,
    private readonly host: string,
    requestedPort: number,
    private readonly tls: TlsFiles | undefined,
    private readonly cluster: ClusterView,
  ) {
    this.port = requestedPort;
  }

  url(): string {
    return `${this.tls ? 'https' : 'http'}://${this.host}:${this.port}`;
  }

  urlOf(index: number): string {
    return this.cluster.peers()[index]!.url();
  }

  proxyUrl(): string | undefined {
    return this.cluster.proxyUrl();
  }

  /** Binds (the same port again after a restart). */
  async start(): Promise<void> {
    const server = newServer();
    for (const [definition, implementation] of allServices(this)) server.addService(definition, implementation);
    this.port = await listen(server, this.host, this.port, this.tls);
    this.server = server;
  }

  /** Ends every consumer stream of this broker, then stops the server. Safe to call twice. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const c of this.state.consumers.values()) {
      if (c.node === this.index) c.endStream(status.UNAVAILABLE, 'broker is shutting down');
    }
    await shutdown(server);
  }
}
