import { z } from 'zod';
import { parseWithSchema } from '../../core/options.js';

export const DEFAULT_HTTP_SINK_CONCURRENCY = 8;
export const DEFAULT_HTTP_SINK_TIMEOUT_MS = 10_000;
export const DEFAULT_HTTP_SINK_MAX_ATTEMPTS = 3;
export const DEFAULT_HTTP_SINK_IDEMPOTENCY_HEADER = 'idempotency-key';

const HttpSinkSchema = z.strictObject({
  url: z.url(),
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  /** `record`: one request per record, body = the payload; `batch`: one request, body = JSON array. */
  mode: z.enum(['record', 'batch']).default('record'),
  /** Batch mode: `envelopes` ({id, topic, offset, …, value}) or bare `payloads`. */
  batchFormat: z.enum(['envelopes', 'payloads']).default('envelopes'),
  headers: z.record(z.string(), z.string()).default({}),
  /** Danube attributes copied to request headers: `{ attribute: header }`. */
  attributeHeaders: z.record(z.string(), z.string().min(1)).default({}),
  /** Header carrying the record id (batch mode: first id and count); empty string turns it off. */
  idempotencyHeader: z.string().default(DEFAULT_HTTP_SINK_IDEMPOTENCY_HEADER),
  /** Whether to send x-danube-topic, -offset, -publish-time, -record-id, -key. */
  metadataHeaders: z.boolean().default(true),
  /** Requests in flight at once, across every invocation of one sink instance. */
  concurrency: z.number().int().min(1).max(256).default(DEFAULT_HTTP_SINK_CONCURRENCY),
  /** `key`: records with the same routing key are sent one after another, in offset order. */
  ordering: z.enum(['none', 'key']).default('none'),
  timeoutMs: z.number().int().min(1).default(DEFAULT_HTTP_SINK_TIMEOUT_MS),
  /** Tries per request within one invocation (retryable statuses and timeouts only). */
  maxAttempts: z.number().int().min(1).default(DEFAULT_HTTP_SINK_MAX_ATTEMPTS),
  initialBackoffMs: z.number().int().min(0).default(100),
  maxBackoffMs: z.number().int().min(0).default(5_000),
});

/** HTTP webhook sink configuration (see docs/connectors/http-sink.md). */
export type HttpSinkOptions = z.input<typeof HttpSinkSchema>;
export type HttpSinkConfig = z.output<typeof HttpSinkSchema>;

/**
 * Fills defaults and rejects unknown keys, naming them.
 *
 * @example
 * const config = parseHttpSinkOptions({ url: 'https://hooks.example/orders', ordering: 'key',
 *   headers: { authorization: `Bearer ${token}` }, attributeHeaders: { 'tenant': 'x-tenant' } });
 */
export function parseHttpSinkOptions(options: HttpSinkOptions): HttpSinkConfig {
  return parseWithSchema(HttpSinkSchema, options, 'http-sink options');
}
