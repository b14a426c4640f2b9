import { describe, expect, it } from 'vitest';
import { BrokerOptionsError } from '../../../src/broker/index.js';
import { DEFAULT_SUBSCRIPTION_POLICY, parseBrokerOptions } from '../../../src/broker/options.js';

describe('parseBrokerOptions', () => {
  it('fills the real broker’s defaults', () => {
    const o = parseBrokerOptions({});
    expect(o.port).toBe(0);
    expect(o.host).toBe('127.0.0.1');
    expect(o.brokers).toBe(1);
    expect(o.namespaces).toEqual(['default']);
    expect(o.dispatch).toEqual(DEFAULT_SUBSCRIPTION_POLICY);
    expect(o.dispatch).toMatchObject({ maxUnackedMessages: 10, ackTimeoutMs: 30_000, maxRedeliveryCount: 5, poisonPolicy: 'block' });
  });

  it('rejects unknown keys naming them', () => {
    expect(() => parseBrokerOptions({ prot: 1 } as never)).toThrow(BrokerOptionsError);
    expect(() => parseBrokerOptions({ prot: 1 } as never)).toThrow(/broker options: prot: unknown key \(did you mean "port"\?\)/);
    expect(() => parseBrokerOptions({ dispatch: { ackTimeout: 5 } } as never)).toThrow(/ackTimeout/);
  });

  it('rejects invalid values naming the key', () => {
    expect(() => parseBrokerOptions({ dispatch: { maxUnackedMessages: 0 } })).toThrow(/dispatch\.maxUnackedMessages/);
    expect(() => parseBrokerOptions({ port: 70000 })).toThrow(/port/);
  });

  it('requires a dead-letter topic with the dead-letter policy', () => {
    expect(() => parseBrokerOptions({ dispatch: { poisonPolicy: 'dead-letter' } })).toThrow(/deadLetterTopic/);
    expect(parseBrokerOptions({ dispatch: { poisonPolicy: 'dead-letter', deadLetterTopic: '/default/dlq' } }).dispatch.deadLetterTopic).toBe('/default/dlq');
  });
});
