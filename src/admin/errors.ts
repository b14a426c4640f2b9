import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';

export interface AdminErrorFields {
  /** gRPC status code (`status.*` of @grpc/grpc-js); `UNKNOWN` for local errors. */
  code?: number;
  /** The admin RPC that failed, e.g. `CreateTopic`. */
  rpc?: string;
  cause?: unknown;
}

/**
 * Base class of every error the admin client throws. `code` is the broker's gRPC status, and
 * the message names the RPC and what the broker said.
 *
 * @example
 * try { await admin.topics.create('/default/orders'); }
 * catch (err) { if (err instanceof AdminError && err.code === status.NOT_FOUND) logger.warn(err.message); }
 */
export class AdminError extends Error {
  override name = 'AdminError';
  readonly code: number;
  readonly rpc: string | undefined;

  constructor(message: string, fields: AdminErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = fields.code ?? GrpcStatus.UNKNOWN;
    this.rpc = fields.rpc;
  }
}

/** The admin API could not be reached (nothing listening, TLS mismatch, timeout). */
export class AdminUnavailableError extends AdminError {
  override name = 'AdminUnavailableError';
}

/** The token is missing or rejected (`UNAUTHENTICATED`), or RBAC denied the call (`PERMISSION_DENIED`). */
export class AdminAuthError extends AdminError {
  override name = 'AdminAuthError';
}

/** The admin API does not serve this RPC here (`UNIMPLEMENTED`), e.g. a topic unload on a standalone broker. */
export class AdminUnsupportedError extends AdminError {
  override name = 'AdminUnsupportedError';
}

/** Options of the admin client are invalid; the message names the key. */
export class AdminOptionsError extends AdminError {
  override name = 'AdminOptionsError';
}

function isServiceError(err: unknown): err is ServiceError {
  return typeof err === 'object' && err !== null && typeof (err as ServiceError).code === 'number' && 'details' in err;
}

/** Wraps a gRPC failure of `rpc` against `url` into the matching AdminError, once, where it enters. */
export function toAdminError(err: unknown, rpc: string, url: string): AdminError {
  if (err instanceof AdminError) return err;
  if (!isServiceError(err)) {
    return new AdminError(`${rpc} failed: ${err instanceof Error ? err.message : String(err)}`, { rpc, cause: err });
  }
  const fields = { code: err.code, rpc, cause: err };
  const detail = err.details || err.message;
  switch (err.code) {
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new AdminUnavailableError(`cannot reach the Danube admin API at ${url} (${rpc}): ${detail}`, fields);
    case GrpcStatus.UNAUTHENTICATED:
    case GrpcStatus.PERMISSION_DENIED:
      return new AdminAuthError(`${rpc} refused by ${url} (${GrpcStatus[err.code]}): ${detail}`, fields);
    case GrpcStatus.UNIMPLEMENTED:
      return new AdminUnsupportedError(`${rpc} is not available at ${url}: ${detail}`, fields);
    default:
      return new AdminError(`${rpc} failed (${GrpcStatus[err.code] ?? err.code}): ${detail}`, fields);
  }
}
