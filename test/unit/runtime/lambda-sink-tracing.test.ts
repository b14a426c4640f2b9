// A Lambda sink with an OpenTelemetry SDK registered (as the ADOT layer or the application
// registers one): its span continues the relay's invoke context carried by the event, links each
// record's creation context, and links the platform's own span when that one is in another trace.
import type { Context } from 'aws-lambda';
import { SpanKind, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/index.js';
import { lambdaSink } from '../../../src/runtime/lambda/index.js';
import { defineSink, encodeSinkBatch, type SinkBatchMeta } from '../../../src/sink/index.js';
import { registerTestTracing, type TestTracing } from '../../e2e/tracing/helpers.js';

const INVOKE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const CREATED = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const META: SinkBatchMeta = { binding: 'orders-to-pg', topic: '/default/orders', subscription: 'orders-pg' };

function event(meta: Partial<SinkBatchMeta>, attributes: Record<string, string>[]) {
  const records = attributes.map((a, i) => ({
    topic: '/default/orders-part-0',
    offset: BigInt(i),
    publishTime: 1763800000000,
    producerName: 'src',
    attributes: a,
    attempt: 1,
    payload: new Uint8Array([123, 125]),
  }));
  return JSON.parse(JSON.stringify(encodeSinkBatch(records, { ...META, ...meta })));
}

const context = { awsRequestId: 'req-1', functionName: 'orders-sink', getRemainingTimeInMillis: () => 3_000 } as unknown as Context;

let tracing: TestTracing;
let activeInHandler: string | undefined;
const handler = lambdaSink(
  defineSink(
    () => {
      activeInHandler = trace.getActiveSpan()?.spanContext().spanId;
    },
    { name: 'orders' },
  ),
  { logger: silentLogger },
);

beforeAll(() => {
  tracing = registerTestTracing();
});
afterAll(() => tracing.stop());
beforeEach(() => {
  tracing.exporter.reset();
  activeInHandler = undefined;
});

describe('lambdaSink with tracing', () => {
  it('continues the invoke context of the event and links every record that carries one', async () => {
    await handler(event({ traceparent: INVOKE }, [{ traceparent: CREATED }, {}]), context);
    const span = tracing.span('process /default/orders');
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(span.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span.links.map((l) => l.context.spanId)).toEqual(['b7ad6b7169203331']);
    expect(span.attributes).toMatchObject({
      'messaging.system': 'danube',
      'messaging.batch.message_count': 2,
      'messaging.destination.subscription.name': 'orders-pg',
      'danube.sink.name': 'orders',
    });
    expect(activeInHandler).toBe(span.spanContext().spanId);
  });

  it("links the platform's span when it belongs to another trace (X-Ray on Lambda)", async () => {
    const platform = trace.getTracer('platform');
    await platform.startActiveSpan('lambda invocation', async (lambdaSpan) => {
      await handler(event({ traceparent: INVOKE }, [{}]), context);
      lambdaSpan.end();
    });
    const span = tracing.span('process /default/orders');
    const lambdaSpan = tracing.span('lambda invocation');
    expect(span.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span.links.map((l) => l.context.spanId)).toEqual([lambdaSpan.spanContext().spanId]);
  });

  it('is a child of the active span when that one already continued the invocation', async () => {
    const remote = trace.wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true });
    const { context: api } = await import('@opentelemetry/api');
    await api.with(trace.setSpan(api.active(), remote), () =>
      trace.getTracer('platform').startActiveSpan('POST /sink', async (server) => {
        await handler(event({ traceparent: INVOKE }, [{}]), context);
        server.end();
      }),
    );
    const span = tracing.span('process /default/orders');
    expect(span.parentSpanContext?.spanId).toBe(tracing.span('POST /sink').spanContext().spanId);
    expect(span.links).toEqual([]);
  });

  it('ignores a malformed traceparent, and makes no span when there is nothing to join', async () => {
    await handler(event({ traceparent: 'not-a-traceparent' }, [{ traceparent: 'nope' }]), context);
    expect(tracing.spans()).toEqual([]);
    expect(activeInHandler).toBeUndefined();
  });

  it('records a failed batch on its span', async () => {
    const failing = lambdaSink(
      defineSink(() => {
        throw new Error('warehouse down');
      }),
      { logger: silentLogger },
    );
    await expect(failing(event({ traceparent: INVOKE }, [{}]), context)).rejects.toThrow('warehouse down');
    const span = tracing.span('process /default/orders');
    expect(span.status).toMatchObject({ code: 2, message: expect.stringContaining('warehouse down') });
    expect(span.attributes['error.type']).toBe('RetryableError');
  });
});
