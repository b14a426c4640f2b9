// One error model: a client error says what it calls for (`kind`, with its gRPC code), and the
// connectors retry, dead-letter or stop by that kind, never by the error's name.
import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ClientClosedError, ConnectionError, MessageTooLargeError, toDanubeError } from '../../../src/client/errors.js';
import { classifyError, errorKind } from '../../../src/core/classify.js';
import { deadLetterReasonOf } from '../../../src/core/dead-letter.js';
import { GRPC_STATUS, RETRYABLE_GRPC_CODES } from '../../../src/core/grpc-status.js';

const status = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: new Metadata() });

describe('client error kinds', () => {
  it('maps every status the broker sends to a kind, and the client retries exactly the retryable ones', () => {
    const kinds = Object.fromEntries(Object.entries(GRPC_STATUS).map(([name, code]) => [name, toDanubeError(status(code, 'x'), 'send', '/default/t').kind]));
    expect(kinds).toMatchObject({
      UNAVAILABLE: 'retryable',
      DEADLINE_EXCEEDED: 'retryable',
      RESOURCE_EXHAUSTED: 'retryable',
      ABORTED: 'retryable',
      INVALID_ARGUMENT: 'invalid',
      FAILED_PRECONDITION: 'invalid',
      ALREADY_EXISTS: 'invalid',
      OUT_OF_RANGE: 'invalid',
      PERMISSION_DENIED: 'fatal',
      UNAUTHENTICATED: 'fatal',
      UNIMPLEMENTED: 'fatal',
      CANCELLED: 'fatal',
    });
    for (const [name, code] of Object.entries(GRPC_STATUS)) {
      expect(toDanubeError(status(code, 'x'), 'send').retryable, name).toBe(RETRYABLE_GRPC_CODES.has(code));
    }
  });

  it('tells the broker refusing an oversized message apart: too-large, dead-lettered as too-large', () => {
    const err = toDanubeError(
      status(GRPC_STATUS.INVALID_ARGUMENT, 'Message size 10000 exceeds maximum allowed 4096 for topic /default/t'),
      'send',
      '/default/t',
    );
    expect(err).toBeInstanceOf(MessageTooLargeError);
    expect(err).toMatchObject({ kind: 'too-large', code: GRPC_STATUS.INVALID_ARGUMENT, retryable: false });
    expect(errorKind(err)).toBe('invalid');
    expect(classifyError(err).kind).toBe('invalid');
    expect(deadLetterReasonOf(err)).toBe('too-large');
    const malformed = toDanubeError(status(GRPC_STATUS.INVALID_ARGUMENT, 'bad schema payload'), 'send');
    expect(malformed.kind).toBe('invalid');
    expect(deadLetterReasonOf(malformed)).toBe('invalid-record');
  });

  it('keeps the kind a class stands for, whatever the code', () => {
    expect(new ConnectionError('down', { code: GRPC_STATUS.UNKNOWN }).kind).toBe('retryable');
    expect(new ClientClosedError('closed').kind).toBe('fatal');
    expect(classifyError(new ClientClosedError('closed')).kind).toBe('fatal');
    expect(classifyError(new ConnectionError('down')).kind).toBe('retryable');
  });
});
