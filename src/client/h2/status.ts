import { Metadata, status } from '@grpc/grpc-js';
import { ErrorCode } from './frames.js';

/**
 * A failed call, shaped as grpc-js's `ServiceError` (code, details, metadata), so the client's
 * retry rules and error mapping treat both transports alike.
 */
export class CallError extends Error {
  readonly metadata = new Metadata();
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code} ${status[code] ?? 'UNKNOWN'}: ${details}`);
  }
}

/** gRPC's mapping of HTTP/2 RST_STREAM codes to status codes (doc/http-grpc-status-mapping). */
export function statusOfReset(code: number): number {
  switch (code) {
    case ErrorCode.REFUSED_STREAM:
      return status.UNAVAILABLE;
    case ErrorCode.CANCEL:
      return status.CANCELLED;
    case ErrorCode.ENHANCE_YOUR_CALM:
      return status.RESOURCE_EXHAUSTED;
    case ErrorCode.INADEQUATE_SECURITY:
      return status.PERMISSION_DENIED;
    default:
      return status.INTERNAL;
  }
}

/** The status a response without `grpc-status` stands for, from its HTTP status. */
export function statusOfHttp(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return status.INTERNAL;
    case 401:
      return status.UNAUTHENTICATED;
    case 403:
      return status.PERMISSION_DENIED;
    case 404:
      return status.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return status.UNAVAILABLE;
    default:
      return status.UNKNOWN;
  }
}

/** `grpc-message` is percent-encoded (gRPC over HTTP/2, "Responses"). */
export function decodeGrpcMessage(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
