// The real admin API wraps an inner tonic::Status in its own message ("Unable to create
// the topic X due to {status}"), so its clients see tonic's Display form of the inner one.
import { status } from '@grpc/grpc-js';
import { RpcStatus } from '../errors.js';

/** tonic's `Code` debug names, by gRPC code. */
const CODE_NAMES: Record<number, string> = {
  [status.OK]: 'Ok',
  [status.CANCELLED]: 'Cancelled',
  [status.UNKNOWN]: 'Unknown',
  [status.INVALID_ARGUMENT]: 'InvalidArgument',
  [status.DEADLINE_EXCEEDED]: 'DeadlineExceeded',
  [status.NOT_FOUND]: 'NotFound',
  [status.ALREADY_EXISTS]: 'AlreadyExists',
  [status.PERMISSION_DENIED]: 'PermissionDenied',
  [status.RESOURCE_EXHAUSTED]: 'ResourceExhausted',
  [status.FAILED_PRECONDITION]: 'FailedPrecondition',
  [status.ABORTED]: 'Aborted',
  [status.OUT_OF_RANGE]: 'OutOfRange',
  [status.UNIMPLEMENTED]: 'Unimplemented',
  [status.INTERNAL]: 'Internal',
  [status.UNAVAILABLE]: 'Unavailable',
  [status.DATA_LOSS]: 'DataLoss',
  [status.UNAUTHENTICATED]: 'Unauthenticated',
};

/**
 * `status: AlreadyExists, message: "Topic '/default/t' already exists", details: [], metadata: MetadataMap { headers: {} }`
 * for a status; the plain message for any other error (an anyhow error prints as its message).
 */
export function errorText(err: unknown): string {
  if (err instanceof RpcStatus) {
    return `status: ${CODE_NAMES[err.code] ?? 'Unknown'}, message: ${JSON.stringify(err.details)}, details: [], metadata: MetadataMap { headers: {} }`;
  }
  return err instanceof Error ? err.message : String(err);
}
