// The MQTT source with tracing on, against mosquitto and the embedded broker: each record carries
// its message's publish span, a child of the run's span, linked to the context an MQTT 5 message
// brought in its user properties.
import { connectAsync, type MqttClient } from 'mqtt';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mqttSource } from '../../../../src/connectors/mqtt/source.js';
import { startMosquitto, type LocalMosquitto } from '../../../support/mosquitto.js';
import { registerTestTracing, traceparentOf, type TestTracing } from '../../../e2e/tracing/helpers.js';
import { harness, receiveN, type Harness } from '../../client/helpers.js';

const DEVICE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
let mq: LocalMosquitto;
let h: Harness;
let pub: MqttClient;
let tracing: TestTracing;

beforeAll(async () => {
  tracing = registerTestTracing();
  [mq, h] = await Promise.all([startMosquitto(), harness()]);
  pub = await connectAsync(mq.url, { clientId: 'traced-publisher', reconnectPeriod: 0, protocolVersion: 5 });
});
afterAll(async () => {
  await pub?.endAsync();
  await h?.close();
  await mq?.close();
  await tracing.stop();
});

describe('mqtt source with tracing', () => {
  it('publishes each message under its own span, linked to the trace context the device sent', async () => {
    await (await h.client.createProducer({ topic: '/default/mqtt-traced', name: 'setup', dispatch: 'reliable' })).close();
    const out = await h.client.subscribe({ topic: '/default/mqtt-traced', subscription: 'check', type: 'exclusive' });
    const source = mqttSource({
      name: 'sensors',
      url: mq.url,
      clientId: 'danube-sensors',
      protocolVersion: 5,
      idleMs: 500,
      routes: [{ filter: 'sensors/#', topic: '/default/mqtt-traced' }],
    });
    await source.run({ client: h.client, budgetMs: 5_000 });
    await pub.publishAsync('sensors/a', '{"t":1}', { qos: 1, properties: { userProperties: { traceparent: DEVICE } } });
    await pub.publishAsync('sensors/b', '{"t":2}', { qos: 1 });
    tracing.exporter.reset();
    expect((await source.run({ client: h.client, budgetMs: 5_000 })).published).toBe(2);
    const got = await receiveN(out, 2);
    const run = tracing.span('run sensors');
    const spans = tracing.spans().filter((s) => s.name === 'publish /default/mqtt-traced');
    expect(spans).toHaveLength(2);
    for (const s of spans) {
      expect(s.kind).toBe(SpanKind.PRODUCER);
      expect(s.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
    }
    expect(got.map((m) => m.attributes.traceparent)).toEqual(spans.map(traceparentOf));
    expect(spans[0]!.links.map((l) => l.context.spanId)).toEqual(['b7ad6b7169203331']);
    expect(spans[1]!.links).toEqual([]);
    expect(spans[0]!.attributes['danube.mqtt.topic']).toBe('sensors/a');
    await out.close();
  });
});
