import { Channel, credentials, Metadata, type ChannelCredentials, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { BrokerAdminClient, ClusterAdminClient, NamespaceAdminClient, SecurityAdminClient, TopicAdminClient } from '../generated/danube/DanubeAdmin.js';
import { SchemaRegistryClient } from '../generated/danube/SchemaRegistry.js';
import { toAdminError } from './errors.js';
import type { AdminPem, ResolvedAdminOptions } from './options.js';

type Callback<Res> = (error: ServiceError | null, response: Res) => void;
/** A generated stub method: `(request, metadata, options, callback)`. */
export type StubMethod<Req, Res> = (request: Req, metadata: Metadata, options: { deadline: Date }, callback: Callback<Res>) => ClientUnaryCall;

function toBuffer(p: AdminPem | undefined): Buffer | null {
  if (p === undefined) return null;
  return typeof p === 'string' ? Buffer.from(p) : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
}

/**
 * One HTTP/2 channel to a broker's admin port, shared by the stubs of every admin service and
 * the schema registry served there. Each call carries the token and a deadline.
 */
export class AdminConnection {
  readonly brokers: BrokerAdminClient;
  readonly cluster: ClusterAdminClient;
  readonly namespaces: NamespaceAdminClient;
  readonly topics: TopicAdminClient;
  readonly security: SecurityAdminClient;
  readonly schemas: SchemaRegistryClient;
  private readonly channel: Channel;
  private readonly metadata = new Metadata();

  constructor(private readonly options: ResolvedAdminOptions) {
    const match = /^(https?):\/\/(.+)$/.exec(options.adminUrl)!;
    const target = match[2]!;
    const creds: ChannelCredentials =
      match[1] === 'https' || options.tls
        ? credentials.createSsl(toBuffer(options.tls?.ca), toBuffer(options.tls?.key), toBuffer(options.tls?.cert))
        : credentials.createInsecure();
    // Fail fast when nothing listens: an admin command should say so, not hang until its deadline.
    this.channel = new Channel(target, creds, { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 1000 });
    const shared = { channelOverride: this.channel };
    this.brokers = new BrokerAdminClient(target, creds, shared);
    this.cluster = new ClusterAdminClient(target, creds, shared);
    this.namespaces = new NamespaceAdminClient(target, creds, shared);
    this.topics = new TopicAdminClient(target, creds, shared);
    this.security = new SecurityAdminClient(target, creds, shared);
    this.schemas = new SchemaRegistryClient(target, creds, shared);
    if (options.token) this.metadata.set('authorization', `Bearer ${options.token}`);
  }

  get url(): string {
    return this.options.adminUrl;
  }

  /** Runs one unary RPC; a failure becomes an AdminError naming `rpc`. */
  call<Req, Res>(rpc: string, client: object, method: StubMethod<Req, Res>, request: Req): Promise<Res> {
    const deadline = new Date(Date.now() + this.options.timeoutMs);
    return new Promise<Res>((resolve, reject) => {
      method.call(client, request, this.metadata, { deadline }, (err, res) => {
        if (err) reject(toAdminError(err, rpc, this.options.adminUrl));
        else resolve(res);
      });
    });
  }

  close(): void {
    this.channel.close();
  }
}
