import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import { ConsumerServiceService, DiscoveryService, HealthCheckService, ProducerServiceService } from '../generated/danube/DanubeApi.js';
import { SchemaRegistryService } from '../generated/danube/SchemaRegistry.js';
import type { JwtAuthenticator } from './auth.js';
import { BrokerError } from './errors.js';
import type { Faults } from './faults.js';
import { consumerService } from './services/consumer-service.js';
import { discoveryService, healthService } from './services/discovery-service.js';
import type { NodeContext } from './services/gate.js';
import { producerService } from './services/producer-service.js';
import { schemaService } from './services/schema-service.js';
import type { BrokerState } from './state.js';

/** How long close() lets calls finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 500;

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
    private readonly tls: { cert: string | Buffer; key: string | Buffer } | undefined,
    private readonly peers: () => BrokerNode[],
  ) {
    this.port = requestedPort;
  }

  url(): string {
    return `${this.tls ? 'https' : 'http'}://${this.host}:${this.port}`;
  }

  urlOf(index: number): string {
    return this.peers()[index]!.url();
  }

  /** Binds (the same port again after a restart). */
  async start(): Promise<void> {
    // Default limits as tonic: 4 MiB decoded messages, so a bigger one is RESOURCE_EXHAUSTED.
    const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
    server.addService(ProducerServiceService, producerService(this));
    server.addService(ConsumerServiceService, consumerService(this));
    server.addService(DiscoveryService, discoveryService(this));
    server.addService(HealthCheckService, healthService(this));
    server.addService(SchemaRegistryService, schemaService(this));
    const creds = this.tls
      ? ServerCredentials.createSsl(null, [{ cert_chain: toBuffer(this.tls.cert), private_key: toBuffer(this.tls.key) }], false)
      : ServerCredentials.createInsecure();
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    this.port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${this.port}`, creds, (err, port) => {
        if (err) reject(new BrokerError(`cannot listen on ${this.host}:${this.port}: ${err.message}`, { cause: err }));
        else resolve(port);
      });
    });
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
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function toBuffer(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v) : v;
}
