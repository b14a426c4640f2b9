import { describe, expect, it } from 'vitest';
import {
  classifyError,
  ConnectorError,
  errorKind,
  FatalError,
  httpStatusKind,
  InvalidRecordError,
  parseRetryAfter,
  RetryableError,
  SinkRecord,
} from '../../../src/core/index.js';

const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });

describe('errors', () => {
  it('carry kind, retryable, cause and the record id', () => {
    const cause = new Error('socket hang up');
    const r = new RetryableError('busy', { cause, retryAfterMs: 250 });
    expect(r).toBeInstanceOf(ConnectorError);
    expect([r.kind, r.retryable, r.cause, r.retryAfterMs, r.name]).toEqual(['retryable', true, cause, 250, 'RetryableError']);
    expect(new FatalError('no').retryable).toBe(false);
    const record = new SinkRecord({ topic: '/default/t-part-1', offset: 7n, publishTime: 1, producerName: 'p', attributes: {}, payload: new Uint8Array() });
    const invalid = new InvalidRecordError('bad', { record });
    expect([invalid.kind, invalid.recordId, invalid.record]).toEqual(['invalid', '/default/t-part-1@7', record]);
  });
});

describe('classifyError', () => {
  it.each([
    [429, 'retryable'],
    [500, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [408, 'retryable'],
    [400, 'invalid'],
    [404, 'invalid'],
    [409, 'invalid'],
    [422, 'invalid'],
    [413, 'invalid'],
    [401, 'fatal'],
    [403, 'fatal'],
  ])('HTTP %i is %s', (status, kind) => {
    expect(httpStatusKind(status)).toBe(kind);
    expect(classifyError(httpError(status)).kind).toBe(kind);
    expect(errorKind({ response: { status } })).toBe(kind);
  });

  it('network failures are retryable, including fetch()-wrapped ones', () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT']) {
      expect(classifyError(Object.assign(new Error(code), { code })).retryable).toBe(true);
    }
    const wrapped = new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    expect(classifyError(wrapped).kind).toBe('retryable');
    expect(classifyError(new DOMException('The operation timed out', 'TimeoutError')).kind).toBe('retryable');
  });

  it('AWS SDK throttling is retryable, access errors fatal, validation invalid', () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    expect(classifyError(throttled).kind).toBe('retryable');
    const marked = Object.assign(new Error('x'), { name: 'SomethingNew', $retryable: { throttling: true }, $metadata: { httpStatusCode: 400 } });
    expect(errorKind(marked)).toBe('retryable');
    const pte = Object.assign(new Error('x'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
    expect(errorKind(pte)).toBe('retryable');
    expect(errorKind(Object.assign(new Error('x'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } }))).toBe('retryable');
    expect(errorKind(Object.assign(new Error('x'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }))).toBe('fatal');
    expect(errorKind(Object.assign(new Error('x'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }))).toBe('invalid');
    expect(errorKind(Object.assign(new Error('x'), { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } }))).toBe('retryable');
  });

  it('gRPC statuses and errors that declare retryable', () => {
    expect(errorKind(Object.assign(new Error('unavailable'), { code: 14, details: 'x' }))).toBe('retryable');
    expect(errorKind(Object.assign(new Error('unauthenticated'), { code: 16, details: 'x' }))).toBe('fatal');
    expect(errorKind(Object.assign(new Error('bad arg'), { code: 3, details: 'x' }))).toBe('invalid');
    expect(errorKind(Object.assign(new Error('topic gone'), { retryable: false }))).toBe('fatal');
    expect(errorKind(Object.assign(new Error('conn lost'), { retryable: true }))).toBe('retryable');
  });

  it('wraps once, keeps ConnectorErrors, reads Retry-After', () => {
    const fatal = new FatalError('stop');
    expect(classifyError(fatal)).toBe(fatal);
    const e = Object.assign(new Error('slow down'), { status: 429, response: { status: 429, headers: new Headers({ 'retry-after': '2' }) } });
    const wrapped = classifyError(e);
    expect(wrapped).toBeInstanceOf(RetryableError);
    expect((wrapped as RetryableError).retryAfterMs).toBe(2000);
    expect(wrapped.cause).toBe(e);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(classifyError('weird').kind).toBe('retryable');
  });
});
