import { status, type Server } from '@grpc/grpc-js';
import { BrokerAdmin } from './admin.js';
import { adminServices } from './admin-api/all.js';
import type { AdminContext } from './admin-api/context.js';
import type { JwtAuthenticator } from './auth.js';
import type { Faults } from './faults.js';
import { listen, newServer, shutdown, type TlsFiles } from './listen.js';
import { allServices, type ServiceBinding } from './services/all.js';
import type { BrokerState } from './state.js';

/** What a broker knows of the cluster around it. */
export interface ClusterView {
  peers(): BrokerNode[];
  /** The proxy's URL when clients go through one (lookups then answer `proxy=true`). */
  proxyUrl(): string | undefined;
}

/** Where a broker listens: its client port and its admin port (requested; 0 = any free port). */
export interface NodePorts {
  port: number;
  adminPort: number;
  /** TLS of the client port, and of the admin port when `adminTls`. */
  tls: TlsFiles | undefined;
  adminTls: boolean;
}

/**
 * One broker of the (in-process) cluster: a gRPC server on its client port and another on
 * its admin port, as the real broker keeps the admin API apart from clients.
 */
export class BrokerNode implements AdminContext {
  private server: Server | null = null;
  private adminServer: Server | null = null;
  port: number;
  adminPort: number;
  readonly admin: BrokerAdmin;

  constructor(
    readonly index: number,
    readonly state: BrokerState,
    readonly auth: JwtAuthenticator | null,
    readonly faults: Faults,
    private readonly host: string,
    private readonly ports: NodePorts,
    private readonly cluster: ClusterView,
  ) {
    this.port = ports.port;
    this.adminPort = ports.adminPort;
    this.admin = new BrokerAdmin(state);
  }

  url(): string {
    return `${this.ports.tls ? 'https' : 'http'}://${this.host}:${this.port}`;
  }

  adminUrl(): string {
    return `${this.ports.adminTls ? 'https' : 'http'}://${this.host}:${this.adminPort}`;
  }

  urlOf(index: number): string {
    return this.cluster.peers()[index]!.url();
  }

  adminUrlOf(index: number): string {
    return this.cluster.peers()[index]!.adminUrl();
  }

  proxyUrl(): string | undefined {
    return this.cluster.proxyUrl();
  }

  /** Binds both ports (the same ones again after a restart). */
  async start(): Promise<void> {
    this.server = await this.bind(allServices(this), this.port, this.ports.tls, (p) => (this.port = p));
    try {
      this.adminServer = await this.bind(adminServices(this), this.adminPort, this.ports.adminTls ? this.ports.tls : undefined, (p) => (this.adminPort = p));
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private async bind(services: ServiceBinding[], port: number, tls: TlsFiles | undefined, bound: (p: number) => void): Promise<Server> {
    const server = newServer();
    for (const [definition, implementation] of services) server.addService(definition, implementation);
    bound(await listen(server, this.host, port, tls));
    return server;
  }

  /** Ends every consumer stream of this broker, then stops both servers. Safe to call twice. */
  async stop(): Promise<void> {
    const server = this.server;
    const adminServer = this.adminServer;
    this.server = null;
    this.adminServer = null;
    if (server) {
      for (const c of this.state.consumers.values()) {
        if (c.node === this.index) c.endStream(status.UNAVAILABLE, 'broker is shutting down');
      }
    }
    await Promise.all([server && shutdown(server), adminServer && shutdown(adminServer)]);
  }
}
