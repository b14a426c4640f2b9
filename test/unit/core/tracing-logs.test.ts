// Log lines joined to traces: with a span active, pino lines carry its ids.
import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOtelApi, TRACE_LOG_OPTIONS } from '../../../src/core/tracing.js';
import { registerTestTracing, type TestTracing } from '../../e2e/tracing/helpers.js';

let tracing: TestTracing;
beforeAll(async () => {
  tracing = registerTestTracing();
  await loadOtelApi();
});
afterAll(() => tracing.stop());

describe('log lines and traces', () => {
  it('carry trace_id and span_id while a span is active, and nothing outside one', () => {
    const lines: Array<Record<string, unknown>> = [];
    const out = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ ...TRACE_LOG_OPTIONS }, out);
    trace.getTracer('test').startActiveSpan('work', (active) => {
      logger.info({ trace_id: 'the line wins' }, 'inside with its own field');
      logger.child({ binding: 'b' }).warn('inside');
      active.end();
      expect(lines[1]).toMatchObject({ trace_id: active.spanContext().traceId, span_id: active.spanContext().spanId, trace_flags: '01', binding: 'b' });
    });
    logger.info('outside');
    expect(lines[0]!.trace_id).toBe('the line wins');
    expect(lines[2]).not.toHaveProperty('trace_id');
  });
});
