import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Metadata } from '@grpc/grpc-js';
import { H2Connection, type ConnectionEvents } from './connection.js';
import { encodeHeaderBlock } from './hpack.js';
import type { KeepAliveOptions } from './keepalive.js';
import type { BodyWriter, StreamListener } from './stream.js';
import { ServerStreamCall, type MessageListener } from './stream-call.js';
import { UnaryCall, type CallDone } from './unary-call.js';

export interface LeanChannelOptions {
  /** TLS material (PEM); TLS is on when the URL is `https://` or this is given. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  keepAlive: KeepAliveOptions;
  /** Give up on a connection attempt after this long (ms). */
  connectTimeoutMs?: number;
  /** After a failed connection attempt, calls fail at once for this long, doubling up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

const USER_AGENT = 'danube-connect-serverless';
// As grpc-js: never wait less than 20 s for a TCP (and TLS) connection to come up.
const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;

/**
 * Unary gRPC calls to one broker URL over one HTTP/2 connection of our own, opened on first use
 * and again after it failed or the broker sent GOAWAY (calls the broker refused are retried by
 * the caller as UNAVAILABLE, as with grpc-js). After a failed attempt, calls fail fast with
 * UNAVAILABLE for a backoff that grows from 200 ms to 2 s, as grpc-js's reconnect backoff does,
 * so an outage does not turn into a connection storm. Idle, it keeps no process alive.
 */
export class LeanChannel {
  private current: H2Connection | undefined;
  private readonly live = new Set<H2Connection>();
  private readonly blocks = new WeakMap<Metadata, Map<string, Buffer>>();
  private readonly noMetadata = new Map<string, Buffer>();
  private readonly host: string;
  private readonly port: number;
  private readonly secure: boolean;
  private failedUntil = 0;
  private lastFailure = '';
  private backoffMs: number;
  private closed = false;
  private readonly events: ConnectionEvents;

  constructor(
    readonly url: string,
    private readonly options: LeanChannelOptions,
  ) {
    const parsed = new URL(url);
    this.secure = parsed.protocol === 'https:' || options.tls !== undefined;
    this.host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(parsed.port || (this.secure ? 443 : 80));
    this.backoffMs = options.initialBackoffMs ?? 200;
    this.events = {
      onReady: () => {
        this.backoffMs = this.options.initialBackoffMs ?? 200;
      },
      onDraining: (c) => {
        if (this.current === c) this.current = undefined;
      },
      onClosed: (c, error) => {
        this.live.delete(c);
        if (this.current === c) this.current = undefined;
        // Only a failed attempt backs off; a connection that worked is simply opened again.
        if (error !== undefined && !c.wasReady && !this.closed) this.noteFailure(error);
      },
    };
  }

  /** The header block of a call to `path` with `metadata` (authorization, proxy header); built once per pair. */
  headerBlock(path: string, metadata: Metadata | undefined): Buffer {
    let byPath = metadata ? this.blocks.get(metadata) : this.noMetadata;
    if (!byPath) {
      byPath = new Map();
      this.blocks.set(metadata!, byPath);
    }
    let block = byPath.get(path);
    if (!block) {
      const fields: Array<[string, string]> = [
        [':method', 'POST'],
        [':scheme', this.secure ? 'https' : 'http'],
        [':path', path],
        [':authority', this.port === (this.secure ? 443 : 80) ? this.host : `${isIP(this.host) === 6 ? `[${this.host}]` : this.host}:${this.port}`],
        ['content-type', 'application/grpc'],
        ['te', 'trailers'],
        ['user-agent', USER_AGENT],
      ];
      if (metadata) {
        for (const [key, value] of Object.entries(metadata.getMap())) {
          // Binary metadata (`-bin`) is not used by Danube; text values go as they are.
          if (typeof value === 'string') fields.push([key, value]);
        }
      }
      block = encodeHeaderBlock(fields);
      byPath.set(path, block);
    }
    return block;
  }

  /**
   * Starts a unary call. `done` is always called later, never from inside `unary()`. Throws when
   * the channel was closed (as grpc-js does on a closed channel).
   */
  unary<C>(block: Buffer, body: Uint8Array | BodyWriter, done: CallDone<C>, context: C): UnaryCall<C> {
    return this.start(new UnaryCall(done, context), block, body);
  }

  /** Starts a server-streaming call (ReceiveMessages); as `unary()` otherwise. */
  serverStream(block: Buffer, body: Uint8Array, listener: MessageListener): ServerStreamCall {
    return this.start(new ServerStreamCall(listener), block, body);
  }

  private start<T extends StreamListener & { connection: H2Connection | undefined; streamId: number }>(
    call: T,
    block: Buffer,
    body: Uint8Array | BodyWriter,
  ): T {
    if (this.closed) throw new Error('Channel has been shut down');
    if (Date.now() < this.failedUntil) {
      const reason = `no connection to ${this.url}: ${this.lastFailure}`;
      process.nextTick(() => call.onConnectionLost(reason, true));
      return call;
    }
    const connection = this.connection();
    call.connection = connection;
    call.streamId = connection.request(block, body, call);
    return call;
  }

  private connection(): H2Connection {
    if (this.current?.usable) return this.current;
    const socket = this.dial();
    const connection = new H2Connection(socket, this.events, this.options.keepAlive);
    this.current = connection;
    this.live.add(connection);
    return connection;
  }

  private dial(): Socket {
    const { host, port } = this;
    let socket: Socket;
    if (this.secure) {
      const tls = this.options.tls ?? {};
      const s = tlsConnect({
        host,
        port,
        ...(isIP(host) ? {} : { servername: host }),
        ...(tls.ca ? { ca: tls.ca } : {}),
        ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}),
        ALPNProtocols: ['h2'],
      });
      s.once('secureConnect', () => {
        if (s.alpnProtocol !== 'h2') s.destroy(new Error(`${this.url} did not negotiate HTTP/2 (ALPN)`));
      });
      socket = s;
    } else {
      socket = netConnect({ host, port });
    }
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const timer = setTimeout(() => socket.destroy(new Error(`connecting to ${this.url} timed out after ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    socket.once(this.secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    return socket;
  }

  private noteFailure(error: string): void {
    this.lastFailure = error;
    this.failedUntil = Date.now() + this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 2_000);
  }

  /** No new calls; open ones finish, then the connections close. Safe to call twice. */
  close(): void {
    this.closed = true;
    for (const c of [...this.live]) c.close();
    this.current = undefined;
  }
}
