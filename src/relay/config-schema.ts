import * as z from 'zod';
import { SIGNATURE_SCHEMES } from '../core/signing.js';
import { standardWebhookSecretProblem } from '../core/standard-webhooks.js';

/**
 * Lambda refuses a RequestResponse payload over 6 MiB. Payloads travel base64-encoded inside the
 * JSON batch event, so raw bytes grow by 4/3; the rest is left for record metadata and the envelope.
 */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 6_291_456;
/** Raw payload bytes per batch that still fit one Lambda invoke after base64 + JSON encoding. */
export const MAX_BATCH_BYTES = 4_500_000;
/** What a whole encoded batch event may weigh (the cutter checks this besides `maxBatchBytes`). */
export const MAX_EVENT_BYTES = LAMBDA_PAYLOAD_LIMIT_BYTES - 64 * 1024;

export const DEFAULT_BATCH_SIZE = 100;
export const DEFAULT_MAX_BATCHING_WINDOW_MS = 500;
export const DEFAULT_MAX_CONCURRENCY = 1;
export const DEFAULT_MAX_RETRY_ATTEMPTS = 3;
export const DEFAULT_FUNCTION_TIMEOUT_MS = 30_000;
/** The broker's own defaults (Danube `SubscriptionFailurePolicy` / `dispatch` section). */
export const DEFAULT_BROKER_ACK_TIMEOUT_MS = 30_000;
export const DEFAULT_BROKER_MAX_UNACKED = 10;
export const DEFAULT_RETRY_BACKOFF = Object.freeze({ initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2, jitter: 'full' as const });
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/**
 * How long the broker may stay unconnected before `/readyz` says `broker-unreachable` (the client's
 * own default): long enough that a broker restart or one lost connection does not flap readiness.
 */
export const DEFAULT_READINESS_GRACE_MS = 2_000;

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" or "-" (max 128)');
const topic = z.string().regex(/^\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'a topic like /namespace/name');
const timeoutMs = z.number().int().min(1).max(900_000).default(DEFAULT_FUNCTION_TIMEOUT_MS);

const LambdaFunctionSchema = z.strictObject({
  type: z.literal('lambda'),
  /** Function name, name:alias or ARN. */
  name: z.string().min(1),
  qualifier: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
  /** Another Lambda API endpoint, e.g. serverless-offline's `http://127.0.0.1:3002`. */
  endpoint: z.url().optional(),
  timeoutMs,
});

const HttpFunctionSchema = z
  .strictObject({
    type: z.literal('http'),
    url: z.url(),
    /** HMAC secret; every request is signed. `standard-webhooks` needs a `whsec_<base64>` key of 24–64 bytes. */
    secret: z.string().min(16, 'at least 16 characters'),
    /**
     * How requests are signed: `danube` (`x-danube-signature: t=<unix>,v1=<hex>`) or
     * `standard-webhooks` (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`).
     * `danube` stays the default so that upgrading the relay never breaks a receiver that
     * checks the relay's own header.
     */
    signature: z.enum(SIGNATURE_SCHEMES).default('danube'),
    headers: z.record(z.string(), z.string()).optional(),
    timeoutMs,
  })
  .superRefine((fn, ctx) => {
    const problem = fn.signature === 'standard-webhooks' ? standardWebhookSecretProblem(fn.secret) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', path: ['secret'], message: `with signature standard-webhooks the secret ${problem}` });
  });

const LocalFunctionSchema = z.strictObject({
  type: z.literal('local'),
  /** Module path (relative to the config file or the working directory) or package name. */
  module: z.string().min(1),
  export: z.string().min(1).default('sink'),
  timeoutMs,
});

export const FunctionSchema = z.discriminatedUnion('type', [LambdaFunctionSchema, HttpFunctionSchema, LocalFunctionSchema]);

const SubscriptionObjectSchema = z.strictObject({
  name: name,
  type: z.enum(['exclusive', 'shared', 'failover', 'key-shared']).default('shared'),
  consumerName: name.optional(),
  keyFilters: z.array(z.string().min(1)).optional(),
  /**
   * The topic's dispatch strategy: `reliable` (default) pauses reading when the relay's buffer is
   * full; `non-reliable` keeps reading and drops the oldest buffered message (the broker would
   * drop newer ones otherwise), counted by the client.
   */
  dispatch: z.enum(['reliable', 'non-reliable']).default('reliable'),
  /**
   * The broker's ack timeout for this subscription (provisioning sets it). Left out: 30 s, or
   * longer when the function's timeout needs it (timeout + batching window + 5 s).
   */
  ackTimeoutMs: z.number().int().min(1).default(DEFAULT_BROKER_ACK_TIMEOUT_MS),
  /**
   * The broker's `max_unacked_messages` for this subscription (provisioning sets it; used for
   * batch cutting). Left out: `batchSize × maxConcurrency` (at most 10000).
   */
  maxUnackedMessages: z.number().int().min(1).max(10_000).default(DEFAULT_BROKER_MAX_UNACKED),
});

// A bare string is the subscription name with every other field at its default.
const SubscriptionSchema = z
  .union([name, SubscriptionObjectSchema])
  .transform((s) => (typeof s === 'string' ? SubscriptionObjectSchema.parse({ name: s }) : s));

/** A value a field must have: exact (string/number/boolean), glob string (`*`, `?`), one of a list, or presence. */
const FieldPatternSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).min(1),
  z.strictObject({ exists: z.boolean() }),
  z.strictObject({ prefix: z.string() }),
  z.strictObject({ numeric: z.tuple([z.enum(['<', '<=', '=', '>=', '>']), z.number()]) }),
]);

/** One filter: every listed field must match. Several filters are ORed. */
export const FilterSchema = z
  .strictObject({
    attributes: z.record(z.string(), FieldPatternSchema).optional(),
    /** Dotted paths into the JSON payload, e.g. `order.status`. */
    json: z.record(z.string(), FieldPatternSchema).optional(),
    routingKey: FieldPatternSchema.optional(),
  })
  .refine((f) => f.attributes !== undefined || f.json !== undefined || f.routingKey !== undefined, 'an empty filter matches nothing');

const RetryBackoffSchema = z.strictObject({
  initialDelayMs: z.number().int().min(0).max(3_600_000).default(DEFAULT_RETRY_BACKOFF.initialDelayMs),
  maxDelayMs: z.number().int().min(0).max(3_600_000).default(DEFAULT_RETRY_BACKOFF.maxDelayMs),
  multiplier: z.number().min(1).max(10).default(DEFAULT_RETRY_BACKOFF.multiplier),
  jitter: z.enum(['full', 'none']).default(DEFAULT_RETRY_BACKOFF.jitter),
});

export const BindingSchema = z.strictObject({
  name,
  topic,
  /**
   * Partitions of the topic (`<topic>-part-0..N-1`), created by provisioning when the topic does
   * not exist yet; absent: a plain topic. The relay itself reads whatever partitions exist.
   */
  partitions: z.number().int().min(1).max(10_000).optional(),
  subscription: SubscriptionSchema,
  function: FunctionSchema,
  enabled: z.boolean().default(true),
  batchSize: z.number().int().min(1).max(10_000).default(DEFAULT_BATCH_SIZE),
  maxBatchingWindowMs: z.number().int().min(0).max(300_000).default(DEFAULT_MAX_BATCHING_WINDOW_MS),
  maxBatchBytes: z.number().int().min(1).max(MAX_BATCH_BYTES).default(MAX_BATCH_BYTES),
  maxConcurrency: z.number().int().min(1).max(1000).default(DEFAULT_MAX_CONCURRENCY),
  ordering: z.enum(['partition', 'key', 'none']).default('partition'),
  /** Retries after the first try; -1 retries until the record is older than `maxRecordAgeSeconds`. */
  maxRetryAttempts: z.number().int().min(-1).max(10_000).default(DEFAULT_MAX_RETRY_ATTEMPTS),
  retryBackoff: RetryBackoffSchema.default(() => ({ ...DEFAULT_RETRY_BACKOFF })),
  /** -1: no limit. */
  maxRecordAgeSeconds: z
    .number()
    .int()
    .min(-1)
    .max(604_800)
    .refine((n) => n !== 0, 'use -1 for no limit')
    .default(-1),
  bisectOnError: z.boolean().default(false),
  deadLetterTopic: topic.optional(),
  filter: z.union([FilterSchema, z.array(FilterSchema).min(1).max(10)]).optional(),
  transform: z.array(z.string().min(1)).optional(),
  /** Records read ahead of the function; the reader pauses when the buffer is full. */
  maxBufferedRecords: z.number().int().min(1).max(1_000_000).optional(),
});

export const RelayConfigSchema = z.strictObject({
  serviceUrl: z.url().optional(),
  /** Port of `/healthz`, `/readyz`, `/metrics`; 0 = ephemeral; omitted = no HTTP server. */
  port: z.number().int().min(0).max(65_535).optional(),
  host: z.string().min(1).default('127.0.0.1'),
  drainTimeoutMs: z.number().int().min(0).max(900_000).default(DEFAULT_DRAIN_TIMEOUT_MS),
  /** How long the broker may be unconnected before `/readyz` names it unreachable; 0 = at once. */
  readinessGraceMs: z.number().int().min(0).max(600_000).default(DEFAULT_READINESS_GRACE_MS),
  /** How the relay's client carries receives and acks (the client option `transport`; default 'lean'). */
  transport: z.enum(['lean', 'grpc-js']).optional(),
  bindings: z.array(BindingSchema).min(1, 'at least one binding'),
});

export type RelayConfigInput = z.input<typeof RelayConfigSchema>;
export type RelayConfig = z.output<typeof RelayConfigSchema>;
export type BindingInput = z.input<typeof BindingSchema>;
export type BindingConfig = z.output<typeof BindingSchema>;
export type FunctionConfig = z.output<typeof FunctionSchema>;
export type FilterConfig = z.output<typeof FilterSchema>;
export type FieldPattern = z.output<typeof FieldPatternSchema>;
export type SubscriptionConfig = z.output<typeof SubscriptionObjectSchema>;
export type RetryBackoff = z.output<typeof RetryBackoffSchema>;
