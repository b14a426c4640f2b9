import { awsErrorKind } from './aws-errors.js';
import { grpcCodeKind } from './grpc-status.js';
import { FatalError, InvalidRecordError, isConnectorError, RetryableError, type ConnectorError, type ErrorKind } from './errors.js';

// Network failures of Node sockets and undici (fetch) that a later try may not meet.
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/**
 * The kind of an HTTP status: 408/425/429/5xx retryable, 401/403/407 fatal, other 4xx invalid,
 * anything else undefined (not an error status).
 */
export function httpStatusKind(status: number): ErrorKind | undefined {
  if (status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599)) return 'retryable';
  if (status === 401 || status === 403 || status === 407) return 'fatal';
  if (status >= 400 && status <= 499) return 'invalid';
  return undefined;
}

type Bag = Record<string, unknown>;

const KINDS: ReadonlySet<unknown> = new Set(['retryable', 'invalid', 'too-large', 'fatal']);

function statusOf(err: Bag): number | undefined {
  const metadata = err.$metadata as Bag | undefined;
  const response = err.response as Bag | undefined;
  for (const v of [err.status, err.statusCode, metadata?.httpStatusCode, response?.status, response?.statusCode]) {
    if (typeof v === 'number' && v >= 100 && v <= 599) return v;
  }
  return undefined;
}

/** The kind of an outside error, looking at its shape only (no instanceof on foreign classes). */
export function errorKind(err: unknown): ErrorKind {
  if (isConnectorError(err)) return err.kind;
  if (typeof err !== 'object' || err === null) return 'retryable';
  const e = err as Bag;
  const name = typeof e.name === 'string' ? e.name : '';
  // An error that says what it calls for (the client's DanubeError) decides for itself; its
  // `too-large` is an invalid record whose reason is its size.
  if (typeof e.kind === 'string' && KINDS.has(e.kind)) return e.kind === 'too-large' ? 'invalid' : (e.kind as ErrorKind);
  const aws = awsErrorKind(err);
  if (aws) return aws === 'throttled' ? 'retryable' : aws;
  const status = statusOf(e);
  if (status !== undefined) {
    const kind = httpStatusKind(status);
    if (kind) return kind;
  }
  if (e.$fault === 'server') return 'retryable';
  if (typeof e.code === 'string' && RETRYABLE_CODES.has(e.code)) return 'retryable';
  // A raw gRPC status (a sink calling a gRPC service of its own).
  if (typeof e.code === 'number' && 'details' in e) {
    const kind = grpcCodeKind(e.code);
    if (kind) return kind;
  }
  if (name === 'TimeoutError' || name === 'AbortError') return 'retryable';
  // fetch() wraps the socket error: "TypeError: fetch failed" with the real one as cause.
  if (e.cause && e.cause !== err) {
    const inner = e.cause as Bag;
    if (typeof inner === 'object' && (typeof inner.code === 'string' || inner.name === 'TimeoutError')) return errorKind(inner);
  }
  if (typeof e.retryable === 'boolean') return e.retryable ? 'retryable' : 'fatal';
  // Unknown failures are retried: the retry limit and the dead-letter topic bound the cost,
  // while treating them as fatal would stop a binding on a single hiccup.
  return 'retryable';
}

/**
 * Wraps any thrown value once into the matching {@link ConnectorError} (already-wrapped errors are
 * returned as they are), so callers branch on `kind` / `retryable`. See `docs/sinks.md` for the table.
 *
 * @example
 * try { await dynamo.send(cmd); } catch (err) { throw classifyError(err); }
 */
export function classifyError(err: unknown): ConnectorError {
  if (isConnectorError(err)) return err;
  const kind = errorKind(err);
  const message = describe(err);
  if (kind === 'invalid') return new InvalidRecordError(message, { cause: err });
  if (kind === 'fatal') return new FatalError(message, { cause: err });
  const retryAfterMs = retryAfterOf(err);
  return new RetryableError(message, retryAfterMs === undefined ? { cause: err } : { cause: err, retryAfterMs });
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const status = statusOf(err as unknown as Bag);
    return status === undefined ? `${err.name}: ${err.message}` : `${err.name}: ${err.message} (HTTP ${status})`;
  }
  return String(err);
}

function retryAfterOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as Bag;
  if (typeof e.retryAfterMs === 'number') return e.retryAfterMs;
  const headers = (e.response as Bag | undefined)?.headers as Bag | { get?: (k: string) => string | null } | undefined;
  const raw = typeof headers?.get === 'function' ? (headers.get as (k: string) => string | null)('retry-after') : (headers as Bag | undefined)?.['retry-after'];
  return parseRetryAfter(typeof raw === 'string' ? raw : undefined);
}

/** `Retry-After` header (seconds or an HTTP date) in ms, or undefined. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
