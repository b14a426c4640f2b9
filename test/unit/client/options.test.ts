import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, InvalidTopicError } from '../../../src/client/index.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, parseClientOptions } from '../../../src/client/client-options.js';
import { parseConsumerOptions } from '../../../src/client/consumer-options.js';
import { parseProducerOptions } from '../../../src/client/producer-options.js';

describe('parseClientOptions', () => {
  it('fills defaults', () => {
    const o = parseClientOptions({ serviceUrl: 'http://127.0.0.1:6650/' });
    expect(o.serviceUrl).toBe('http://127.0.0.1:6650');
    expect(o.connectTimeoutMs).toBe(DEFAULT_CONNECT_TIMEOUT_MS);
    expect(o.healthCheckIntervalMs).toBe(5000);
    expect(o.retry).toEqual({ maxRetries: 5, baseBackoffMs: 200, maxBackoffMs: 5000 });
  });

  it('rejects unknown keys by name', () => {
    expect(() => parseClientOptions({ serviceUrl: 'http://h:1', tokn: 'x' } as never)).toThrow(/client options: tokn: unknown key \(did you mean "token"\?\)/);
    expect(() => parseClientOptions({ serviceUrl: 'http://h:1', tls: { caa: 'x' } } as never)).toThrow(/tls.caa: unknown key \(did you mean "ca"\?\)/);
  });

  it('rejects bad URLs and conflicting credentials', () => {
    expect(() => parseClientOptions({ serviceUrl: '127.0.0.1:6650' })).toThrow(InvalidOptionsError);
    expect(() => parseClientOptions({ serviceUrl: 'http://h:1', token: 'a', tokenSupplier: () => 'b' })).toThrow(/either "token" or "tokenSupplier"/);
    expect(() => parseClientOptions({ serviceUrl: 'http://h:1', tls: { cert: 'x' } })).toThrow(/both "cert" and "key"/);
  });
});

describe('parseProducerOptions', () => {
  it('fills defaults: ordered, non-reliable, 1024 in flight', () => {
    expect(parseProducerOptions({ topic: '/default/t', name: 'p' })).toMatchObject({ mode: 'ordered', dispatch: 'non-reliable', maxInFlight: 1024 });
  });

  it('rejects a misspelt key, a bad topic and a bad mode', () => {
    expect(() => parseProducerOptions({ topic: '/default/t', name: 'p', partitons: 3 } as never)).toThrow(
      /producer options: partitons: unknown key \(did you mean "partitions"\?\)/,
    );
    expect(() => parseProducerOptions({ topic: 'default.t', name: 'p' })).toThrow(InvalidTopicError);
    expect(() => parseProducerOptions({ topic: '/default/t', name: 'p', mode: 'fast' as never })).toThrow(/producer options: mode: /);
    expect(() => parseProducerOptions({ topic: '/default/t', name: 'p', schema: { subject: 's', version: 1, minVersion: 1 } })).toThrow(
      /"version" or "minVersion"/,
    );
  });
});

describe('parseConsumerOptions', () => {
  it('fills defaults and a random consumer name', () => {
    const o = parseConsumerOptions({ topic: '/default/t', subscription: 's' });
    expect(o).toMatchObject({ type: 'shared', bufferSize: 100, dispatch: 'reliable', keyFilters: [] });
    expect(o.consumerName).toMatch(/^consumer-/);
  });

  it('only accepts key filters on key-shared subscriptions', () => {
    expect(() => parseConsumerOptions({ topic: '/default/t', subscription: 's', keyFilters: ['a*'] })).toThrow(/"keyFilters" only apply/);
    expect(parseConsumerOptions({ topic: '/default/t', subscription: 's', type: 'key-shared', keyFilters: ['a*'] }).keyFilters).toEqual(['a*']);
  });
});
