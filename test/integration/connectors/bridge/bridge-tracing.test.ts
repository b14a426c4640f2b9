// The bridge with tracing on: the forwarded message continues the trace hop by hop (its creation
// context is the bridge's send span, a child of the sink's span, which links the original).
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../../src/broker/index.js';
import { DanubeClient } from '../../../../src/client/index.js';
import { bridgeSink } from '../../../../src/connectors/bridge/sink.js';
import { encodeSinkBatch } from '../../../../src/sink/event.js';
import { runSink } from '../../../../src/sink/run.js';
import { registerTestTracing, traceparentOf, type TestTracing } from '../../../e2e/tracing/helpers.js';
import { FAST, receiveN } from '../../client/helpers.js';

let eu: Broker;
let us: Broker;
let euClient: DanubeClient;
let usClient: DanubeClient;
let tracing: TestTracing;

beforeAll(async () => {
  tracing = registerTestTracing();
  [eu, us] = await Promise.all([startBroker({ port: 0 }), startBroker({ port: 0 })]);
  euClient = new DanubeClient({ serviceUrl: eu.url, ...FAST });
  usClient = new DanubeClient({ serviceUrl: us.url, ...FAST });
});
afterAll(async () => {
  await Promise.all([euClient?.close(), usClient?.close()]);
  await Promise.all([eu?.close(), us?.close()]);
  await tracing.stop();
});

describe('bridge with tracing', () => {
  it('forwards under its own send span, in the trace of the original message', async () => {
    // Topics exist before the subscriptions (a subscription starts at the latest message).
    for (const [client, topic] of [
      [usClient, '/default/replica'],
      [euClient, '/default/origin'],
    ] as const) {
      await (await client.createProducer({ topic, name: 'setup', dispatch: 'reliable' })).close();
    }
    const target = await usClient.subscribe({ topic: '/default/replica', subscription: 'check', type: 'exclusive' });
    const source = await euClient.subscribe({ topic: '/default/origin', subscription: 'check', type: 'exclusive' });
    const producer = await euClient.createProducer({ topic: '/default/origin', name: 'shop', dispatch: 'reliable' });
    await trace.getTracer('test').startActiveSpan('order placed', async (span) => {
      await producer.send('{"order":1}');
      span.end();
    });
    const [message] = await receiveN(source, 1);
    const original = tracing.span('send /default/origin');
    expect(message!.attributes.traceparent).toBe(traceparentOf(original));

    const sink = bridgeSink(
      { clusterId: 'eu', destination: { clusterId: 'us', serviceUrl: us.url }, topicMap: { '/default/origin': '/default/replica' } },
      { client: usClient },
    );
    const outcome = await runSink(sink, encodeSinkBatch([{ ...message!, attempt: 1 }], { binding: 'bridge', topic: '/default/origin', subscription: 'check' }));
    expect(outcome.status).toBe('success');
    const [forwarded] = await receiveN(target, 1, { timeoutMs: 10_000 });

    const process = tracing.span('process /default/origin');
    const send = tracing.span('send /default/replica');
    expect(process.links.map((l) => l.context.spanId)).toEqual([original.spanContext().spanId]);
    expect(send.parentSpanContext?.spanId).toBe(process.spanContext().spanId);
    expect(forwarded!.attributes.traceparent).toBe(traceparentOf(send));
    expect(forwarded!.attributes['x-bridge-origin-cluster']).toBe('eu');
    await Promise.all([source.close(), target.close(), producer.close()]);
  });
});
