import type { Metadata, Server, UntypedServiceImplementation } from '@grpc/grpc-js';
import { unavailable } from './errors.js';
import { listen, newServer, shutdown, type TlsFiles } from './listen.js';
import type { BrokerNode } from './node.js';
import { allServices } from './services/all.js';

/** The header a Danube client sends to a proxy when a lookup answered `proxy=true`. */
export const BROKER_URL_HEADER = 'x-danube-broker-url';

/**
 * A proxy in front of the cluster (the real broker's `advertised_listeners.connect_url`):
 * one address for clients, each call handed to the broker its `x-danube-broker-url`
 * header names, or to the first broker when there is none (lookups, schema registry).
 */
export class BrokerProxy {
  private server: Server | null = null;

  constructor(
    private readonly host: string,
    public port: number,
    private readonly tls: TlsFiles | undefined,
    private readonly nodes: () => BrokerNode[],
  ) {}

  url(): string {
    return `${this.tls ? 'https' : 'http'}://${this.host}:${this.port}`;
  }

  async start(): Promise<void> {
    const nodes = this.nodes();
    const perNode = nodes.map((n) => allServices(n));
    const target = (metadata: Metadata): number | undefined => {
      const header = metadata.get(BROKER_URL_HEADER)[0];
      if (header === undefined) return 0;
      const i = nodes.findIndex((n) => n.url() === header);
      return i < 0 ? undefined : i;
    };
    const server = newServer();
    perNode[0]!.forEach(([definition], s) => {
      const routed: UntypedServiceImplementation = {};
      for (const method of Object.keys(definition)) {
        routed[method] = ((call: { metadata: Metadata; emit(e: string, v: unknown): void }, callback?: (e: unknown) => void) => {
          const i = target(call.metadata);
          if (i === undefined) {
            const err = unavailable(`unknown broker ${String(call.metadata.get(BROKER_URL_HEADER)[0])} in ${BROKER_URL_HEADER}`);
            if (callback) callback(err);
            else call.emit('error', err);
            return;
          }
          (perNode[i]![s]![1][method] as (c: unknown, cb?: unknown) => void)(call, callback);
        }) as never;
      }
      server.addService(definition, routed);
    });
    this.port = await listen(server, this.host, this.port, this.tls);
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await shutdown(server);
  }
}
