import { Channel, credentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { ConsumerServiceClient, DiscoveryClient, HealthCheckClient, ProducerServiceClient } from '../generated/danube/DanubeApi.js';
import { SchemaRegistryClient } from '../generated/danube/SchemaRegistry.js';
import type { Pem, TlsOptions } from './client-options.js';
import { LeanChannel } from './h2/channel.js';
import { DEFAULT_KEEPALIVE, type KeepAliveOptions } from './h2/keepalive.js';
import { GrpcHotCalls, LeanHotCalls, type HotCalls, type Transport } from './hot-calls.js';

/**
 * The service stubs for one broker URL. They all ride on a single HTTP/2 channel: every producer,
 * consumer, lookup and health check talking to that broker multiplexes over one connection.
 * `hot` carries the per-message calls (SendMessage, Ack, Nack): with the `'lean'` transport over
 * a second HTTP/2 connection of our own, with `'grpc-js'` over the same channel.
 */
export interface BrokerConnection {
  readonly url: string;
  readonly channel: Channel;
  readonly producer: ProducerServiceClient;
  readonly consumer: ConsumerServiceClient;
  readonly discovery: DiscoveryClient;
  readonly health: HealthCheckClient;
  readonly schema: SchemaRegistryClient;
  readonly hot: HotCalls;
}

// Reconnect quickly after a broker restart (grpc-js defaults grow to 120 s between attempts);
// our own retries already back off. grpc-js transparent retries are off: the client retries
// itself, with lookups, and the retry buffer only costs memory on the hot path.
const BASE_CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2000,
  'grpc.enable_retries': 0,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': -1,
};

/** `http://host:port` → `host:port` (what grpc-js dials); also whether TLS is asked for. */
export function parseBrokerUrl(url: string): { target: string; secure: boolean } {
  const match = /^(https?):\/\/([^/\s]+)\/?$/.exec(url);
  if (!match) return { target: url.replace(/\/$/, ''), secure: false };
  return { target: match[2]!, secure: match[1] === 'https' };
}

function toBuffer(pem: Pem | undefined): Buffer | null {
  if (pem === undefined) return null;
  return typeof pem === 'string' ? Buffer.from(pem) : Buffer.from(pem.buffer, pem.byteOffset, pem.byteLength);
}

/** One channel per broker URL, created on first use and shared until the client closes. */
export class ConnectionPool {
  private readonly connections = new Map<string, BrokerConnection>();
  private readonly secureCredentials: ChannelCredentials;
  private readonly channelOptions: ChannelOptions;

  private readonly keepAlive: KeepAliveOptions;

  constructor(
    private readonly tls: TlsOptions | undefined,
    channelOptions: Record<string, string | number>,
    private readonly transport: Transport = 'lean',
  ) {
    this.secureCredentials = credentials.createSsl(toBuffer(tls?.ca), toBuffer(tls?.key), toBuffer(tls?.cert));
    this.channelOptions = { ...BASE_CHANNEL_OPTIONS, ...channelOptions };
    this.keepAlive = keepAliveOf(this.channelOptions);
  }

  get size(): number {
    return this.connections.size;
  }

  /** The connection for `url`, opening its channel the first time. */
  get(url: string): BrokerConnection {
    const existing = this.connections.get(url);
    if (existing) return existing;
    const { target, secure } = parseBrokerUrl(url);
    const creds = secure || this.tls ? this.secureCredentials : credentials.createInsecure();
    const channel = new Channel(target, creds, this.channelOptions);
    const shared = { channelOverride: channel };
    const producer = new ProducerServiceClient(target, creds, shared);
    const consumer = new ConsumerServiceClient(target, creds, shared);
    const connection: BrokerConnection = {
      url,
      channel,
      producer,
      consumer,
      discovery: new DiscoveryClient(target, creds, shared),
      health: new HealthCheckClient(target, creds, shared),
      schema: new SchemaRegistryClient(target, creds, shared),
      hot: this.transport === 'lean' ? new LeanHotCalls(this.leanChannel(url, secure)) : new GrpcHotCalls(producer, consumer),
    };
    this.connections.set(url, connection);
    return connection;
  }

  private leanChannel(url: string, secure: boolean): LeanChannel {
    const tls = this.tls
      ? { ca: toBuffer(this.tls.ca) ?? undefined, cert: toBuffer(this.tls.cert) ?? undefined, key: toBuffer(this.tls.key) ?? undefined }
      : secure
        ? {}
        : undefined;
    return new LeanChannel(url.replace(/^(?!https?:\/\/)/, 'http://'), {
      ...(tls ? { tls } : {}),
      keepAlive: this.keepAlive,
      initialBackoffMs: Number(this.channelOptions['grpc.initial_reconnect_backoff_ms']),
      maxBackoffMs: Number(this.channelOptions['grpc.max_reconnect_backoff_ms']),
    });
  }

  /** Closes every channel; calls still running on them fail with CANCELLED/UNAVAILABLE. */
  close(): void {
    for (const connection of this.connections.values()) {
      connection.hot.close();
      connection.channel.close();
    }
    this.connections.clear();
  }
}

/** Our transport's keepalive, from the grpc-js channel options that set grpc-js's. */
function keepAliveOf(options: ChannelOptions): KeepAliveOptions {
  const time = Number(options['grpc.keepalive_time_ms']);
  const timeout = Number(options['grpc.keepalive_timeout_ms']);
  return {
    timeMs: time > 0 ? time : DEFAULT_KEEPALIVE.timeMs,
    timeoutMs: timeout > 0 ? timeout : DEFAULT_KEEPALIVE.timeoutMs,
    permitWithoutCalls: Number(options['grpc.keepalive_permit_without_calls']) === 1,
  };
}
