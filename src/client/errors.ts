import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';

/** gRPC status codes the broker and the client itself use (numeric, as on the wire). */
export const Status = GrpcStatus;

/** Codes the real Danube clients retry (with backoff and a fresh lookup); everything else is final. */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
]);

export interface DanubeErrorFields {
  /** gRPC status code (`status.*` of @grpc/grpc-js); `UNKNOWN` for purely local errors. */
  code?: number;
  /** The topic (or partition topic) the failed operation concerned. */
  topic?: string;
  /** Whether trying the same operation again later may succeed. */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * Base class of every error the Danube client throws.
 *
 * @example
 * try { await producer.send('x'); }
 * catch (err) { if (err instanceof DanubeError && err.retryable) scheduleRetry(); else throw err; }
 */
export class DanubeError extends Error {
  override name = 'DanubeError';
  readonly code: number;
  readonly topic: string | undefined;
  readonly retryable: boolean;

  constructor(message: string, fields: DanubeErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = fields.code ?? GrpcStatus.UNKNOWN;
    this.topic = fields.topic;
    this.retryable = fields.retryable ?? RETRYABLE_CODES.has(this.code);
  }
}

/** The topic does not exist (and could not be auto-created), or the broker no longer knows it. */
export class TopicNotFoundError extends DanubeError {
  override name = 'TopicNotFoundError';
}
/** No token, or the broker rejected it (bad signature, expired, wrong secret). */
export class UnauthenticatedError extends DanubeError {
  override name = 'UnauthenticatedError';
}
/** Authenticated, but not allowed (RBAC), or the broker refused the operation (e.g. Exclusive conflict). */
export class PermissionDeniedError extends DanubeError {
  override name = 'PermissionDeniedError';
}
/** The broker could not be reached (refused, reset, TLS failure) after the configured retries. */
export class ConnectionError extends DanubeError {
  override name = 'ConnectionError';
}
/** The operation did not finish within its time limit. */
export class TimeoutError extends DanubeError {
  override name = 'TimeoutError';
}
/** The client, producer or consumer was closed before or during the operation. */
export class ClientClosedError extends DanubeError {
  override name = 'ClientClosedError';
}
/**
 * The caller's `AbortSignal` aborted the operation (code `CANCELLED`, `cause` = the abort reason).
 * Not retryable: the caller asked to stop.
 */
export class AbortedError extends DanubeError {
  override name = 'AbortedError';
}
/** A topic name that Danube would reject (`/namespace/topic`, letters, digits, `_` and `-` only). */
export class InvalidTopicError extends DanubeError {
  override name = 'InvalidTopicError';
}
/** The message would exceed the broker's gRPC message limit (4 MiB by default). */
export class MessageTooLargeError extends DanubeError {
  override name = 'MessageTooLargeError';
}
/** The broker rejected a request as malformed (`INVALID_ARGUMENT`, `FAILED_PRECONDITION`, ...). */
export class InvalidRequestError extends DanubeError {
  override name = 'InvalidRequestError';
}
/** A schema could not be resolved, registered or used. */
export class SchemaError extends DanubeError {
  override name = 'SchemaError';
}
/** Options passed to the client, a producer or a consumer are invalid (unknown key, bad value). */
export class InvalidOptionsError extends DanubeError {
  override name = 'InvalidOptionsError';
}

/** True when `err` looks like a status error from @grpc/grpc-js. */
export function isServiceError(err: unknown): err is ServiceError {
  return typeof err === 'object' && err !== null && typeof (err as ServiceError).code === 'number' && 'metadata' in err;
}

/**
 * Wraps an error where it enters the client (a gRPC status, a local failure) into the matching
 * `DanubeError` subclass, naming the operation and topic. Danube errors pass through unchanged.
 */
export function toDanubeError(err: unknown, operation: string, topic?: string): DanubeError {
  if (err instanceof DanubeError) return err;
  if (!isServiceError(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new DanubeError(`${operation}${topic ? ` on ${topic}` : ''} failed: ${message}`, { topic, cause: err });
  }
  const detail = err.details || err.message;
  const message = `${operation}${topic ? ` on ${topic}` : ''} failed (${GrpcStatus[err.code] ?? err.code}): ${detail}`;
  const fields: DanubeErrorFields = { code: err.code, topic, cause: err };
  switch (err.code) {
    case GrpcStatus.NOT_FOUND:
      return new TopicNotFoundError(message, fields);
    case GrpcStatus.UNAUTHENTICATED:
      return new UnauthenticatedError(message, fields);
    case GrpcStatus.PERMISSION_DENIED:
      return new PermissionDeniedError(message, fields);
    case GrpcStatus.UNAVAILABLE:
      return new ConnectionError(message, fields);
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new TimeoutError(message, fields);
    case GrpcStatus.CANCELLED:
      return new ClientClosedError(message, fields);
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.FAILED_PRECONDITION:
    case GrpcStatus.ALREADY_EXISTS:
    case GrpcStatus.OUT_OF_RANGE:
      return new InvalidRequestError(message, fields);
    default:
      return new DanubeError(message, fields);
  }
}

/** The gRPC code of any error (Danube or raw gRPC); `undefined` for other errors. */
export function errorCode(err: unknown): number | undefined {
  if (err instanceof DanubeError) return err.code;
  if (isServiceError(err)) return err.code;
  return undefined;
}
