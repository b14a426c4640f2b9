import * as z from 'zod';
import { silentLogger, type Logger } from '../core/logger.js';
import { DEFAULT_RETRY, type RetryOptions } from './backoff.js';
import type { Transport } from './hot-calls.js';
import { parseWith } from './options.js';

/** PEM text or bytes. */
export type Pem = string | Uint8Array;

export interface TlsOptions {
  /** CA certificate(s) that signed the broker's certificate; system roots when absent. */
  ca?: Pem;
  /** Client certificate for mutual TLS (needs `key`). */
  cert?: Pem;
  /** Private key of `cert`. */
  key?: Pem;
}

export interface DanubeClientOptions {
  /** Broker (or proxy) URL, `http://host:port` or `https://host:port`. */
  serviceUrl: string;
  /** JWT sent as `authorization: Bearer <token>` on every call. */
  token?: string;
  /** Called before every call instead of a fixed `token` (e.g. to refresh before expiry). */
  tokenSupplier?: () => string | Promise<string>;
  /** TLS settings; giving them (or an `https://` URL) turns TLS on. */
  tls?: TlsOptions;
  /** Bound on lookup + create producer / subscribe, retries included (default 10 000 ms). */
  connectTimeoutMs?: number;
  /** Bound on one send, ack or registry call, retries included (default 30 000 ms). */
  requestTimeoutMs?: number;
  /** How often producers and consumers ask the broker whether they are still known (default 5000 ms). */
  healthCheckIntervalMs?: number;
  /** Largest message the client sends, in encoded bytes (default 4 MiB, the broker's gRPC limit). */
  maxMessageBytes?: number;
  /** Retry settings (defaults as the Rust client: 5 retries, 200 ms linear backoff up to 5 s). */
  retry?: Partial<RetryOptions>;
  /** Extra @grpc/grpc-js channel options (e.g. keepalive), merged over ours. */
  channelOptions?: Record<string, string | number>;
  /**
   * How the per-message calls (SendMessage, Ack, Nack) travel. `'lean'` (default): our own
   * HTTP/2 connection beside the grpc-js channel, several times less CPU per message;
   * `'grpc-js'`: the grpc-js channel that carries every other call. Both honour TLS, the token,
   * the proxy header, time limits, retries and the `grpc.keepalive_*` channel options.
   */
  transport?: Transport;
  logger?: Logger;
}

export interface ResolvedClientOptions extends Required<Omit<DanubeClientOptions, 'token' | 'tokenSupplier' | 'tls' | 'retry'>> {
  token?: string;
  tokenSupplier?: () => string | Promise<string>;
  tls?: TlsOptions;
  retry: RetryOptions;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEALTH_CHECK_INTERVAL_MS = 5_000;
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
export const DEFAULT_TRANSPORT: Transport = 'lean';

const pem = z.union([z.string(), z.instanceof(Uint8Array)]);
const positiveMs = z.number().int().positive();

const schema = z
  .strictObject({
    serviceUrl: z.string().regex(/^https?:\/\/[^/\s]+\/?$/, 'expected "http://host:port" or "https://host:port"'),
    token: z.string().min(1).optional(),
    tokenSupplier: z.custom<() => string | Promise<string>>((v) => typeof v === 'function', 'expected a function').optional(),
    tls: z.strictObject({ ca: pem.optional(), cert: pem.optional(), key: pem.optional() }).optional(),
    connectTimeoutMs: positiveMs.default(DEFAULT_CONNECT_TIMEOUT_MS),
    requestTimeoutMs: positiveMs.default(DEFAULT_REQUEST_TIMEOUT_MS),
    healthCheckIntervalMs: positiveMs.default(DEFAULT_HEALTH_CHECK_INTERVAL_MS),
    maxMessageBytes: positiveMs.default(DEFAULT_MAX_MESSAGE_BYTES),
    retry: z
      .strictObject({
        maxRetries: z.number().int().min(0).optional(),
        baseBackoffMs: positiveMs.optional(),
        maxBackoffMs: positiveMs.optional(),
      })
      .optional(),
    channelOptions: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
    transport: z.enum(['lean', 'grpc-js']).default(DEFAULT_TRANSPORT),
    logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as Logger).info === 'function', 'expected a logger').default(silentLogger),
  })
  .refine((o) => !(o.token && o.tokenSupplier), { message: 'give either "token" or "tokenSupplier", not both', path: ['tokenSupplier'] })
  .refine((o) => !o.tls || !o.tls.cert === !o.tls.key, { message: 'a client certificate needs both "cert" and "key"', path: ['tls'] });

/** Checks client options once, fills defaults, rejects unknown keys naming them. */
export function parseClientOptions(input: DanubeClientOptions): ResolvedClientOptions {
  const o = parseWith(schema, input, 'client options');
  return { ...o, serviceUrl: o.serviceUrl.replace(/\/$/, ''), retry: { ...DEFAULT_RETRY, ...o.retry } };
}
