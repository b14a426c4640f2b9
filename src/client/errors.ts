import type { ServiceError } from '@grpc/grpc-js';
import { GRPC_STATUS as GrpcStatus, grpcCodeKind, grpcCodeName, RETRYABLE_GRPC_CODES } from '../core/grpc-status.js';

/** gRPC status codes the broker and the client itself use (numeric, as on the wire). */
export const Status = GrpcStatus;

/** Codes the client retries (with backoff and a fresh lookup): the package's one table of them. */
export const RETRYABLE_CODES: ReadonlySet<number> = RETRYABLE_GRPC_CODES;

/**
 * What a client error calls for: try again later (`retryable`), never for this message
 * (`invalid`, and `too-large` when it is its size), or stop (`fatal`: configuration, credentials,
 * permissions, a closed client). Connectors read it to retry, dead-letter or fail.
 */
export type DanubeErrorKind = 'retryable' | 'invalid' | 'too-large' | 'fatal';

export interface DanubeErrorFields {
  /** gRPC status code; `UNKNOWN` for purely local errors. */
  code?: number;
  /** The topic (or partition topic) the failed operation concerned. */
  topic?: string;
  /** What the error calls for; by default the class's, else the status code's (see `grpcCodeKind`). */
  kind?: DanubeErrorKind;
  /** Shorthand for `kind`: true is `retryable`, false `fatal`. */
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
  readonly kind: DanubeErrorKind;

  constructor(message: string, fields: DanubeErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = fields.code ?? GrpcStatus.UNKNOWN;
    this.topic = fields.topic;
    const given = fields.kind ?? (fields.retryable === undefined ? undefined : fields.retryable ? 'retryable' : 'fatal');
    this.kind = given ?? this.defaultKind() ?? grpcCodeKind(this.code) ?? 'fatal';
  }

  /** Whether trying the same operation again later may succeed. */
  get retryable(): boolean {
    return this.kind === 'retryable';
  }

  /** The kind a subclass stands for, if it stands for one whatever the status code. */
  protected defaultKind(): DanubeErrorKind | undefined {
    return undefined;
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
  protected override defaultKind(): DanubeErrorKind {
    return 'retryable';
  }
}
/** The operation did not finish within its time limit. */
export class TimeoutError extends DanubeError {
  override name = 'TimeoutError';
  protected override defaultKind(): DanubeErrorKind {
    return 'retryable';
  }
}
/** The client, producer or consumer was closed before or during the operation. */
export class ClientClosedError extends DanubeError {
  override name = 'ClientClosedError';
  protected override defaultKind(): DanubeErrorKind {
    return 'fatal';
  }
}
/**
 * The caller's `AbortSignal` aborted the operation (code `CANCELLED`, `cause` = the abort reason).
 * Not retryable: the caller asked to stop.
 */
export class AbortedError extends DanubeError {
  override name = 'AbortedError';
  protected override defaultKind(): DanubeErrorKind {
    return 'fatal';
  }
}
/** A topic name that Danube would reject (`/namespace/topic`, letters, digits, `_` and `-` only). */
export class InvalidTopicError extends DanubeError {
  override name = 'InvalidTopicError';
  protected override defaultKind(): DanubeErrorKind {
    return 'fatal';
  }
}
/** The message is larger than the broker accepts (its `max_message_size`, or the gRPC limit). */
export class MessageTooLargeError extends DanubeError {
  override name = 'MessageTooLargeError';
  protected override defaultKind(): DanubeErrorKind {
    return 'too-large';
  }
}
/** The broker rejected a request as malformed (`INVALID_ARGUMENT`, `FAILED_PRECONDITION`, ...). */
export class InvalidRequestError extends DanubeError {
  override name = 'InvalidRequestError';
  protected override defaultKind(): DanubeErrorKind {
    return 'invalid';
  }
}
/** A schema could not be resolved, registered or used. */
export class SchemaError extends DanubeError {
  override name = 'SchemaError';
  protected override defaultKind(): DanubeErrorKind {
    return 'fatal';
  }
}
/** Options passed to the client, a producer or a consumer are invalid (unknown key, bad value). */
export class InvalidOptionsError extends DanubeError {
  override name = 'InvalidOptionsError';
  protected override defaultKind(): DanubeErrorKind {
    return 'fatal';
  }
}

const TOO_LARGE = /exceeds maximum allowed/i;

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
  const message = `${operation}${topic ? ` on ${topic}` : ''} failed (${grpcCodeName(err.code)}): ${detail}`;
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
      // The broker refuses an oversized message with this status and "Message size N exceeds
      // maximum allowed M for topic T" (topic.rs): the text is all that tells the case apart.
      return TOO_LARGE.test(detail) ? new MessageTooLargeError(message, fields) : new InvalidRequestError(message, fields);
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
