import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  ClientClosedError,
  ConnectionError,
  DanubeError,
  InvalidRequestError,
  PermissionDeniedError,
  TimeoutError,
  TopicNotFoundError,
  UnauthenticatedError,
} from '../../../src/client/index.js';
import { toDanubeError } from '../../../src/client/errors.js';

function grpcError(code: number, details: string) {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });
}

describe('toDanubeError', () => {
  it.each([
    [status.NOT_FOUND, TopicNotFoundError, false],
    [status.UNAUTHENTICATED, UnauthenticatedError, false],
    [status.PERMISSION_DENIED, PermissionDeniedError, false],
    [status.UNAVAILABLE, ConnectionError, true],
    [status.DEADLINE_EXCEEDED, TimeoutError, true],
    [status.RESOURCE_EXHAUSTED, DanubeError, true],
    [status.INVALID_ARGUMENT, InvalidRequestError, false],
    [status.FAILED_PRECONDITION, InvalidRequestError, false],
    [status.CANCELLED, ClientClosedError, false],
    [status.INTERNAL, DanubeError, false],
  ])('maps gRPC code %i to the right class, with retryable as the Rust client', (code, cls, retryable) => {
    const err = toDanubeError(grpcError(code, 'boom'), 'create producer', '/default/t');
    expect(err).toBeInstanceOf(cls);
    expect(err).toBeInstanceOf(DanubeError);
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
    expect(err.topic).toBe('/default/t');
    expect(err.message).toBe(`create producer on /default/t failed (${status[code]}): boom`);
    expect(err.cause).toBeDefined();
  });

  it('passes Danube errors through and wraps plain errors', () => {
    const original = new TopicNotFoundError('x');
    expect(toDanubeError(original, 'send')).toBe(original);
    const wrapped = toDanubeError(new Error('socket hang up'), 'send', '/default/t');
    expect(wrapped.message).toBe('send on /default/t failed: socket hang up');
    expect(wrapped.code).toBe(status.UNKNOWN);
  });
});
