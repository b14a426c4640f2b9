import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../src/relay/filter.js';

const rec = (attributes: Record<string, string>, body: unknown, routingKey?: string) => ({
  attributes,
  routingKey,
  payload: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
});

describe('compileFilter', () => {
  it('passes everything without a filter', () => {
    expect(compileFilter(undefined)(rec({}, 'x'))).toBe(true);
  });

  it('matches attributes by exact value, glob, list, presence and prefix', () => {
    const f = compileFilter({ attributes: { type: 'order.*', region: ['eu', 'us'], trace: { exists: false }, src: { prefix: 'shop-' } } });
    expect(f(rec({ type: 'order.created', region: 'eu', src: 'shop-1' }, {}))).toBe(true);
    expect(f(rec({ type: 'invoice', region: 'eu', src: 'shop-1' }, {}))).toBe(false);
    expect(f(rec({ type: 'order.x', region: 'apac', src: 'shop-1' }, {}))).toBe(false);
    expect(f(rec({ type: 'order.x', region: 'eu', src: 'shop-1', trace: '1' }, {}))).toBe(false);
  });

  it('matches JSON payload fields; non-JSON payloads match no JSON pattern', () => {
    const f = compileFilter({ json: { 'order.status': 'paid', 'order.total': { numeric: ['>', 100] } } });
    expect(f(rec({}, { order: { status: 'paid', total: 150 } }))).toBe(true);
    expect(f(rec({}, { order: { status: 'paid', total: 50 } }))).toBe(false);
    expect(f(rec({}, 'not json'))).toBe(false);
  });

  it('ORs several filters and matches the routing key', () => {
    const f = compileFilter([{ routingKey: 'vip-*' }, { attributes: { priority: 'high' } }]);
    expect(f(rec({}, {}, 'vip-7'))).toBe(true);
    expect(f(rec({ priority: 'high' }, {}, 'k'))).toBe(true);
    expect(f(rec({ priority: 'low' }, {}, 'k'))).toBe(false);
  });
});
