import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

/**
 * Base class of every error the embedded broker throws at its caller (start-up,
 * options, admin calls). Errors sent to gRPC clients are plain statuses instead.
 *
 * @example
 * try { await startBroker({ port: -1 }); } catch (err) { if (err instanceof BrokerError) ... }
 */
export class BrokerError extends Error {
  override name = 'BrokerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Thrown by `parseBrokerOptions` for an unknown or invalid option; names the key. */
export class BrokerOptionsError extends BrokerError {
  override name = 'BrokerOptionsError';
}

/**
 * A gRPC status as the real broker sends it: a code and a message string, no
 * details, no custom metadata. Thrown inside handlers and turned into the call's
 * error by the service wiring.
 */
export class RpcStatus extends BrokerError implements Partial<ServiceError> {
  override name = 'RpcStatus';
  readonly details: string;
  readonly metadata = new Metadata();
  constructor(
    readonly code: status,
    details: string,
  ) {
    super(details);
    this.details = details;
  }
}

export const invalidArgument = (m: string): RpcStatus => new RpcStatus(status.INVALID_ARGUMENT, m);
export const notFound = (m: string): RpcStatus => new RpcStatus(status.NOT_FOUND, m);
export const unavailable = (m: string): RpcStatus => new RpcStatus(status.UNAVAILABLE, m);
export const failedPrecondition = (m: string): RpcStatus => new RpcStatus(status.FAILED_PRECONDITION, m);
export const permissionDenied = (m: string): RpcStatus => new RpcStatus(status.PERMISSION_DENIED, m);
export const alreadyExists = (m: string): RpcStatus => new RpcStatus(status.ALREADY_EXISTS, m);
export const internal = (m: string): RpcStatus => new RpcStatus(status.INTERNAL, m);
export const unauthenticated = (m: string): RpcStatus => new RpcStatus(status.UNAUTHENTICATED, m);
export const resourceExhausted = (m: string): RpcStatus => new RpcStatus(status.RESOURCE_EXHAUSTED, m);
export const unimplemented = (m: string): RpcStatus => new RpcStatus(status.UNIMPLEMENTED, m);

/** Turns anything a handler threw into a status; unexpected errors become INTERNAL. */
export function toStatus(err: unknown): RpcStatus {
  if (err instanceof RpcStatus) return err;
  const message = err instanceof Error ? err.message : String(err);
  return internal(message);
}
