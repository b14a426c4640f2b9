import { status } from '@grpc/grpc-js';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mqttSource } from '../../../../src/connectors/mqtt/source.js';
import { matchesTopicFilter } from '../../../../src/connectors/mqtt/topic-filter.js';
import { startMosquitto, type LocalMosquitto } from '../../../support/mosquitto.js';
import { harness, quiet, receiveN, text, type Harness } from '../../client/helpers.js';

let mq: LocalMosquitto;
let h: Harness;
let pub: MqttClient;

beforeAll(async () => {
  [mq, h] = await Promise.all([startMosquitto(), harness()]);
  pub = await connectAsync(mq.url, { clientId: 'test-publisher', reconnectPeriod: 0 });
});
afterAll(async () => {
  await pub?.endAsync();
  await h?.close();
  await mq?.close();
});

async function subscribe(topic: string) {
  const p = await h.client.createProducer({ topic, name: 'setup', dispatch: 'reliable' });
  await p.close();
  return h.client.subscribe({ topic, subscription: 'check', type: 'exclusive' });
}

describe('topic filters', () => {
  it('match + and # as MQTT defines them', () => {
    expect(matchesTopicFilter('a/+/c', 'a/b/c')).toBe(true);
    expect(matchesTopicFilter('a/+/c', 'a/b/d')).toBe(false);
    expect(matchesTopicFilter('a/#', 'a')).toBe(true);
    expect(matchesTopicFilter('a/#', 'a/b/c')).toBe(true);
    expect(matchesTopicFilter('#', '$SYS/x')).toBe(false);
    expect(matchesTopicFilter('a/b', 'a/b/c')).toBe(false);
  });
});

describe('mqtt source against mosquitto and the embedded broker', () => {
  it('drains what was queued while no run was connected, routes by filter, keeps order, acks only what Danube took', async () => {
    const temps = await subscribe('/default/mqtt-temps');
    const doors = await subscribe('/default/mqtt-doors');
    const source = mqttSource({
      name: 'plant',
      url: mq.url,
      clientId: 'danube-plant',
      idleMs: 700,
      routes: [
        { filter: 'plant/+/temp', topic: '/default/mqtt-temps' },
        { filter: 'plant/door/#', topic: '/default/mqtt-doors', key: 'none' },
      ],
    });
    // The first run creates the persistent session and subscribes.
    const first = await source.run({ client: h.client, budgetMs: 5_000 });
    expect(first).toMatchObject({ sessionPresent: false, published: 0, stopReason: 'idle' });
    // Published while no run is connected: the MQTT broker queues them for the session.
    for (let i = 0; i < 20; i++) await pub.publishAsync(`plant/${i % 2 ? 'oven' : 'fridge'}/temp`, JSON.stringify({ i }), { qos: 1 });
    await pub.publishAsync('plant/door/front', 'open', { qos: 1 });
    await pub.publishAsync('other/ignored', 'x', { qos: 1 });
    const second = await source.run({ client: h.client, budgetMs: 5_000 });
    expect(second).toMatchObject({ sessionPresent: true, published: 21, stopReason: 'idle' });
    const got = await receiveN(temps, 20);
    expect(got.map((m) => JSON.parse(text(m)!).i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(got[1]!.attributes).toMatchObject({ source: 'mqtt', 'mqtt.topic': 'plant/oven/temp', 'mqtt.qos': '1' });
    expect(got[1]!.routingKey).toBe('plant/oven/temp');
    const door = (await receiveN(doors, 1))[0]!;
    expect(text(door)).toBe('open');
    expect(door.routingKey ?? '').toBe('');
    // Everything was acknowledged: a third run finds nothing.
    const third = await source.run({ client: h.client, budgetMs: 5_000 });
    expect(third.published).toBe(0);
    expect(await quiet(temps, 200)).toBeUndefined();
    await Promise.all([temps.close(), doors.close()]);
  });

  it('does not acknowledge a message Danube refused: the next run gets it again, and the session survives an MQTT broker restart', async () => {
    const out = await subscribe('/default/mqtt-retry');
    const source = mqttSource({
      name: 'retry',
      url: mq.url,
      clientId: 'danube-retry',
      idleMs: 700,
      routes: [{ filter: 'retry/#', topic: '/default/mqtt-retry' }],
    });
    await source.run({ client: h.client, budgetMs: 5_000 });
    for (let i = 0; i < 3; i++) await pub.publishAsync('retry/x', `m${i}`, { qos: 1 });
    // The broker refuses every send for a while: the client gives up, the run fails, nothing is acked.
    const client = h.newClient({ requestTimeoutMs: 300, retry: { maxRetries: 1, baseBackoffMs: 10, maxBackoffMs: 20 } });
    h.broker.faults.failNext('SendMessage', 1000, status.UNAVAILABLE);
    await expect(source.run({ client, budgetMs: 5_000 })).rejects.toThrow(/mqtt source retry/);
    await client.close();
    // A send the client gave up on can still be retried for a moment after close(): keep the
    // broker refusing until that has passed, so what the next run gets is the MQTT redelivery.
    await new Promise((r) => setTimeout(r, 500));
    h.broker.faults.clear();
    expect(await quiet(out, 200)).toBeUndefined();
    await mq.restart();
    pub.end(true);
    pub = await connectAsync(mq.url, { clientId: 'test-publisher', reconnectPeriod: 0 });
    const again = await source.run({ client: h.client, budgetMs: 5_000 });
    expect(again).toMatchObject({ sessionPresent: true, published: 3 });
    expect((await receiveN(out, 3)).map(text)).toEqual(['m0', 'm1', 'm2']);
    await out.close();
  });

  it('stops at maxMessages and leaves the rest queued for the next run', async () => {
    const out = await subscribe('/default/mqtt-max');
    const source = mqttSource({
      name: 'max',
      url: mq.url,
      clientId: 'danube-max',
      idleMs: 700,
      maxMessages: 4,
      routes: [{ filter: 'max/#', topic: '/default/mqtt-max' }],
    });
    await source.run({ client: h.client, budgetMs: 5_000 });
    for (let i = 0; i < 6; i++) await pub.publishAsync('max/a', `n${i}`, { qos: 1 });
    expect(await source.run({ client: h.client, budgetMs: 5_000 })).toMatchObject({ published: 4, stopReason: 'max-messages' });
    expect(await source.run({ client: h.client, budgetMs: 5_000 })).toMatchObject({ published: 2 });
    expect((await receiveN(out, 6)).map(text)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5']);
    await out.close();
  });

  it('MQTT 5: subscribes every run without getting retained messages again', async () => {
    const out = await subscribe('/default/mqtt-v5');
    const source = mqttSource({
      name: 'v5',
      url: mq.url,
      clientId: 'danube-v5',
      protocolVersion: 5,
      sessionExpirySec: 600,
      idleMs: 700,
      routes: [{ filter: 'v5/#', topic: '/default/mqtt-v5' }],
    });
    await pub.publishAsync('v5/config', 'retained-1', { qos: 1, retain: true });
    const first = await source.run({ client: h.client, budgetMs: 5_000 });
    expect(first).toMatchObject({ sessionPresent: false, published: 1 }); // the retained message, on the new subscription
    await pub.publishAsync('v5/data', 'live-1', { qos: 1 });
    const second = await source.run({ client: h.client, budgetMs: 5_000 });
    expect(second).toMatchObject({ sessionPresent: true, published: 1 });
    const got = await receiveN(out, 2);
    expect(got.map(text)).toEqual(['retained-1', 'live-1']);
    expect(got[0]!.attributes['mqtt.retain']).toBe('true');
    expect((await source.run({ client: h.client, budgetMs: 5_000 })).published).toBe(0);
    await pub.publishAsync('v5/config', '', { qos: 1, retain: true }); // clear the retained message
    await out.close();
  });

  it('functions/mqtt.ts runs one drain per invocation with the remaining time as budget', async () => {
    const out = await subscribe('/default/mqtt-fn');
    vi.stubEnv('DANUBE_SERVICE_URL', h.broker.url);
    vi.stubEnv(
      'MQTT_CONFIG',
      JSON.stringify({ name: 'fn', url: mq.url, clientId: 'danube-fn', idleMs: 700, routes: [{ filter: 'fn/#', topic: '/default/mqtt-fn' }] }),
    );
    try {
      const { handler } = await import('../../../../functions/mqtt.js');
      const context = { awsRequestId: 'r1', getRemainingTimeInMillis: () => 8_000 } as unknown as Context;
      expect(await handler({ 'detail-type': 'Scheduled Event' }, context)).toMatchObject({ source: 'fn', sessionPresent: false });
      await pub.publishAsync('fn/a', 'from-fn', { qos: 1 });
      expect(await handler({ 'detail-type': 'Scheduled Event' }, context)).toMatchObject({ published: 1, stopReason: 'idle' });
      expect(text((await receiveN(out, 1))[0])).toBe('from-fn');
    } finally {
      vi.unstubAllEnvs();
      await out.close();
    }
  });

  it('fails fast when the MQTT broker is unreachable', async () => {
    const source = mqttSource({
      name: 'down',
      url: 'mqtt://127.0.0.1:9',
      clientId: 'x',
      connectTimeoutMs: 500,
      routes: [{ filter: 'a', topic: '/default/mqtt-down' }],
    });
    await expect(source.run({ client: h.client, budgetMs: 3_000 })).rejects.toThrow(/mqtt source down/);
  });

  it('rejects bad filters and QoS 2 at start-up', () => {
    expect(() => mqttSource({ name: 'x', url: mq.url, clientId: 'x', routes: [{ filter: 'a/#/b', topic: '/default/x' }] })).toThrow(/routes\.0\.filter/);
    expect(() => mqttSource({ name: 'x', url: mq.url, clientId: 'x', routes: [{ filter: 'a', topic: '/default/x', qos: 2 as 1 }] })).toThrow(/routes\.0\.qos/);
  });
});
