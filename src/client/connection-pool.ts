import { Channel, credentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import {
  ConsumerServiceClient,
  DiscoveryClient,
  HealthCheckClient,
  ProducerServiceClient,
} from '../generated/danube/DanubeApi.js';
import { SchemaRegistryClient } from '../generated/danube/SchemaRegistry.js';
import type { Pem, TlsOptions } from './client-options.js';

/**
 * The service stubs for one broker URL. They all ride on a single HTTP/2 channel: every producer,
 * consumer, lookup and health check talking to that broker multiplexes over one connection.
 */
export interface BrokerConnection {
  readonly url: string;
  readonly channel: Channel;
  readonly producer: ProducerServiceClient;
  readonly consumer: ConsumerServiceClient;
  readonly discovery: DiscoveryClient;
  readonly health: HealthCheckClient;
  readonly schema: SchemaRegistryClient;
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

  constructor(
    private readonly tls: TlsOptions | undefined,
    channelOptions: Record<string, string | number>,
  ) {
    this.secureCredentials = credentials.createSsl(toBuffer(tls?.ca), toBuffer(tls?.key), toBuffer(tls?.cert));
    this.channelOptions = { ...BASE_CHANNEL_OPTIONS, ...channelOptions };
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
    const connection: BrokerConnection = {
      url,
      channel,
      producer: new ProducerServiceClient(target, creds, shared),
      consumer: new ConsumerServiceClient(target, creds, shared),
      discovery: new DiscoveryClient(target, creds, shared),
      health: new HealthCheckClient(target, creds, shared),
      schema: new SchemaRegistryClient(target, creds, shared),
    };
    this.connections.set(url, connection);
    return connection;
  }

  /** Closes every channel; calls still running on them fail with CANCELLED/UNAVAILABLE. */
  close(): void {
    for (const connection of this.connections.values()) connection.channel.close();
    this.connections.clear();
  }
}
