// The W3C trace context as records, events and headers carry it.
import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseTraceparent, traceContextOf, withoutTraceContext } from '../../../src/core/trace-context.js';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('parseTraceparent', () => {
  it('reads a well-formed value and formats it back', () => {
    const parsed = parseTraceparent(VALID);
    expect(parsed).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true });
    expect(formatTraceparent(parsed!.traceId, parsed!.spanId, parsed!.traceFlags)).toBe(VALID);
    expect(formatTraceparent(parsed!.traceId, parsed!.spanId, 0)).toBe(VALID.replace(/01$/, '00'));
  });

  it('ignores what the specification says to ignore', () => {
    for (const bad of [
      undefined,
      42,
      '',
      'garbage',
      VALID.toUpperCase(), // upper-case hex
      VALID.replace('4bf92f3577b34da6a3ce929d0e0e4736', '0'.repeat(32)), // all-zero trace id
      VALID.replace('00f067aa0ba902b7', '0'.repeat(16)), // all-zero span id
      `ff${VALID.slice(2)}`, // forbidden version
      `${VALID}-extra`, // version 00 has no more fields
      VALID.replace(/-/g, '_'),
    ])
      expect(parseTraceparent(bad), String(bad)).toBeUndefined();
  });

  it('reads a later version by its version-00 prefix', () => {
    expect(parseTraceparent(`01${VALID.slice(2)}-what-comes-next`)?.spanId).toBe('00f067aa0ba902b7');
    expect(parseTraceparent(`01${VALID.slice(2)}x`)).toBeUndefined();
  });
});

describe('traceContextOf', () => {
  it('takes traceparent and tracestate from attributes, only with a valid traceparent', () => {
    expect(traceContextOf({ traceparent: VALID, tracestate: 'vendor=x', other: 'y' })).toEqual({ traceparent: VALID, tracestate: 'vendor=x' });
    expect(traceContextOf({ traceparent: VALID })).toEqual({ traceparent: VALID });
    expect(traceContextOf({ traceparent: 'nope', tracestate: 'vendor=x' })).toBeUndefined();
    expect(traceContextOf({})).toBeUndefined();
    expect(traceContextOf(undefined)).toBeUndefined();
  });

  it('drops an oversized tracestate', () => {
    expect(traceContextOf({ traceparent: VALID, tracestate: `a=${'x'.repeat(600)}` })).toEqual({ traceparent: VALID });
  });
});

describe('withoutTraceContext', () => {
  it('removes only the trace fields, and returns the same object when there are none', () => {
    expect(withoutTraceContext({ traceparent: VALID, tracestate: 's=1', a: 'b' })).toEqual({ a: 'b' });
    const plain = { a: 'b' };
    expect(withoutTraceContext(plain)).toBe(plain);
  });
});
