// gRPC status codes (numeric, as on the wire) and what each means for whoever met it: the one
// table of which codes are worth another try. The client retries these codes; the connectors
// classify a failed record by them.
import type { ErrorKind } from './errors.js';

export const GRPC_STATUS = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
});

const S = GRPC_STATUS;

/** Transient: the same call may succeed later (the broker is back, the load is lower). */
export const RETRYABLE_GRPC_CODES: ReadonlySet<number> = new Set([S.UNAVAILABLE, S.DEADLINE_EXCEEDED, S.RESOURCE_EXHAUSTED, S.ABORTED]);

/** The request itself is wrong: the same call will fail the same way. */
const INVALID: ReadonlySet<number> = new Set([S.INVALID_ARGUMENT, S.ALREADY_EXISTS, S.FAILED_PRECONDITION, S.OUT_OF_RANGE]);

/** Nothing a retry of this call fixes: credentials, permissions, a missing feature. */
const FATAL: ReadonlySet<number> = new Set([S.PERMISSION_DENIED, S.UNAUTHENTICATED, S.UNIMPLEMENTED]);

/**
 * What a gRPC status calls for; undefined for the codes that say too little to decide
 * (CANCELLED: it depends on who cancelled; UNKNOWN, NOT_FOUND, INTERNAL, DATA_LOSS), which each
 * caller handles by what it was doing.
 *
 * @example
 * grpcCodeKind(GRPC_STATUS.UNAVAILABLE); // 'retryable'
 */
export function grpcCodeKind(code: number): ErrorKind | undefined {
  if (RETRYABLE_GRPC_CODES.has(code)) return 'retryable';
  if (INVALID.has(code)) return 'invalid';
  if (FATAL.has(code)) return 'fatal';
  return undefined;
}

/** The name of a code (`UNAVAILABLE`), for messages. */
export function grpcCodeName(code: number): string {
  return Object.entries(GRPC_STATUS).find(([, v]) => v === code)?.[0] ?? String(code);
}
