// With no tracer provider registered, tracing costs nothing: no API loaded, no context read, log
// lines unchanged.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { otelApi, otelApiWhenOn, TRACE_LOG_OPTIONS, traceLogFields, tracingRegistered } from '../../../src/core/tracing.js';

describe('tracing off', () => {
  it('reports no provider and hands out no API', async () => {
    expect(tracingRegistered()).toBe(false);
    expect(otelApi()).toBeUndefined();
    expect(await otelApiWhenOn()).toBeUndefined();
  });

  it('adds nothing to log lines, with one shared empty object', () => {
    expect(traceLogFields()).toBe(traceLogFields());
    expect(traceLogFields()).toEqual({});
    const lines: string[] = [];
    const out = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ ...TRACE_LOG_OPTIONS }, out);
    logger.info({ binding: 'b' }, 'hello');
    expect(JSON.parse(lines[0]!)).toMatchObject({ binding: 'b', msg: 'hello' });
    expect(lines[0]).not.toContain('trace_id');
  });
});
