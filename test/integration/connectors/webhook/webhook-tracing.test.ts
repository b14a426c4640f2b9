// The webhook source with tracing on: a request is the entry of the trace its record carries,
// continuing the caller's W3C traceparent header when it sends one.
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { producerPublisher } from '../../../../src/connectors/webhook/publisher.js';
import { WebhookReceiver } from '../../../../src/connectors/webhook/receiver.js';
import { registerTestTracing, traceparentOf, type TestTracing } from '../../../e2e/tracing/helpers.js';
import { harness, receiveN, type Harness } from '../../client/helpers.js';

const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
let h: Harness;
let tracing: TestTracing;
let publisher: ReturnType<typeof producerPublisher>;
let receiver: WebhookReceiver;

beforeAll(async () => {
  tracing = registerTestTracing();
  h = await harness();
  publisher = producerPublisher(h.client);
  receiver = new WebhookReceiver({ routes: [{ path: '/orders', topic: '/default/webhook-traced' }] }, { publisher });
});
afterAll(async () => {
  await publisher.close();
  await h.close();
  await tracing.stop();
});

const request = (headers: Record<string, string>) => ({
  method: 'POST',
  path: '/orders',
  headers: new Headers({ 'content-type': 'application/json', ...headers }),
  body: new TextEncoder().encode('{"id":1}'),
});

describe('webhook with tracing', () => {
  it("continues the caller's traceparent; the record carries the send span under the request's span", async () => {
    await (await h.client.createProducer({ topic: '/default/webhook-traced', name: 'setup', dispatch: 'reliable' })).close();
    const consumer = await h.client.subscribe({ topic: '/default/webhook-traced', subscription: 'check', type: 'exclusive' });
    tracing.exporter.reset();
    expect((await receiver.handle(request({ traceparent: CALLER }))).status).toBe(202);
    expect((await receiver.handle(request({}))).status).toBe(202);
    const [first, second] = await receiveN(consumer, 2);
    const [withCaller, own] = tracing.spans().filter((s) => s.name === 'webhook /orders');
    const sends = tracing.spans().filter((s) => s.name === 'send /default/webhook-traced');
    expect(withCaller!.kind).toBe(SpanKind.SERVER);
    expect(withCaller!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(withCaller!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(withCaller!.attributes).toMatchObject({
      'http.route': '/orders',
      'http.response.status_code': 202,
      'messaging.destination.name': '/default/webhook-traced',
    });
    expect(sends[0]!.parentSpanContext?.spanId).toBe(withCaller!.spanContext().spanId);
    expect(first!.attributes.traceparent).toBe(traceparentOf(sends[0]!));
    // Without a caller context the request starts a trace of its own.
    expect(own!.parentSpanContext).toBeUndefined();
    expect(second!.attributes.traceparent).toBe(traceparentOf(sends[1]!));
    await consumer.close();
  });
});
