import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { SubType, Wire, sleep, text } from './harness.js';

let broker: Broker;
let wire: Wire;

beforeAll(async () => {
  broker = await startBroker({
    port: 0,
    dispatch: { ackTimeoutMs: 300, baseRedeliveryDelayMs: 100, maxRedeliveryDelayMs: 1000, maxRedeliveryCount: 2 },
  });
  wire = new Wire(broker.url);
});
afterAll(async () => {
  wire.close();
  await broker.close();
});

async function setup(topic: string, sub: string, type = SubType.Exclusive) {
  const pid = await wire.createProducer(topic, 'p', true);
  const cid = await wire.subscribe(topic, sub, 'c1', type);
  const rx = wire.receive(cid);
  await sleep(30);
  const send = (s: string) => wire.send(pid, topic, s);
  return { pid, cid, rx, send };
}

describe('reliable dispatch', () => {
  it('starts a new subscription at the latest message', async () => {
    const topic = '/default/rel-latest';
    const pid = await wire.createProducer(topic, 'p', true);
    await wire.send(pid, topic, 'before');
    const cid = await wire.subscribe(topic, 'late', 'c');
    const rx = wire.receive(cid);
    await sleep(30);
    await wire.send(pid, topic, 'after');
    const [m] = await rx.waitFor(1);
    expect(text(m!)).toBe('after');
    expect(m!.msgId!.topicOffset).toBe(1n);
    await sleep(100);
    expect(rx.messages).toHaveLength(1);
    rx.cancel();
  });

  it('keeps at most max_unacked_messages in flight and sends more as acks arrive', async () => {
    const topic = '/default/rel-window';
    broker.admin.setSubscriptionPolicy(topic, 'w', { maxUnackedMessages: 3 });
    const { rx, send } = await setup(topic, 'w');
    for (let i = 0; i < 6; i++) await send(`m${i}`);
    await rx.waitFor(3);
    await sleep(100);
    expect(rx.messages.map(text)).toEqual(['m0', 'm1', 'm2']);
    await wire.ack(rx.messages[0]!, 'w');
    await rx.waitFor(4);
    expect(text(rx.messages[3]!)).toBe('m3');
    for (const m of rx.messages.slice(1)) await wire.ack(m, 'w');
    await rx.waitFor(6);
    rx.cancel();
  });

  it('redelivers an unacked message after the ack timeout, then with exponential backoff', async () => {
    const { rx, send } = await setup('/default/rel-timeout', 'r');
    const t0 = Date.now();
    await send('x');
    await rx.waitFor(1);
    const times: number[] = [Date.now() - t0];
    await rx.waitFor(2, 3000);
    times.push(Date.now() - t0);
    await rx.waitFor(3, 3000);
    times.push(Date.now() - t0);
    // ack timeout 300 + backoff 100 → ~400; then 300 + 200 → ~900
    expect(times[1]!).toBeGreaterThanOrEqual(380);
    expect(times[1]!).toBeLessThan(800);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(480);
    expect(times[2]! - times[1]!).toBeLessThan(1000);
    expect(rx.messages.map((m) => m.msgId!.topicOffset)).toEqual([0n, 0n, 0n]);
    await wire.ack(rx.messages[2]!, 'r');
    await sleep(500);
    expect(rx.messages).toHaveLength(3);
    rx.cancel();
  });

  it('redelivers a nacked message after max(policy delay, requested delay)', async () => {
    const { rx, send } = await setup('/default/rel-nack', 'n');
    await send('x');
    const [m] = await rx.waitFor(1);
    const t0 = Date.now();
    await wire.nack(m!, 'n', 250n, 'bad');
    await rx.waitFor(2);
    const dt = Date.now() - t0;
    expect(dt).toBeGreaterThanOrEqual(230);
    expect(dt).toBeLessThan(600);
    await wire.ack(rx.messages[1]!, 'n');
    rx.cancel();
  });

  it('Block: stalls an Exclusive subscription on a poisoned message until the policy changes', async () => {
    const topic = '/default/rel-block';
    broker.admin.setSubscriptionPolicy(topic, 'b', { ackTimeoutMs: 100, baseRedeliveryDelayMs: 0, maxRedeliveryCount: 1, maxUnackedMessages: 1 });
    const { rx, send } = await setup(topic, 'b');
    await send('poison');
    await rx.waitFor(2); // 1 delivery + 1 redelivery
    await send('next');
    await sleep(400);
    expect(rx.messages.map(text)).toEqual(['poison', 'poison']);
    broker.admin.setSubscriptionPolicy(topic, 'b', { poisonPolicy: 'drop' });
    const msgs = await rx.waitFor(3);
    expect(text(msgs[2]!)).toBe('next');
    rx.cancel();
  });

  it('Drop: skips a poisoned message and moves on', async () => {
    const topic = '/default/rel-drop';
    broker.admin.setSubscriptionPolicy(topic, 'd', { ackTimeoutMs: 100, baseRedeliveryDelayMs: 0, maxRedeliveryCount: 1, poisonPolicy: 'drop' });
    const { rx, send } = await setup(topic, 'd');
    await send('poison');
    await rx.waitFor(2);
    await send('next');
    const msgs = await rx.waitFor(3);
    expect(text(msgs[2]!)).toBe('next');
    await wire.ack(msgs[2]!, 'd');
    await sleep(300);
    expect(broker.admin.describeTopic(topic)!.subscriptions[0]!.backlog).toBe(0);
    rx.cancel();
  });

  it('DeadLetter: republishes a poisoned message with the x-original-* attributes', async () => {
    const topic = '/default/rel-dlq';
    const dlq = '/default/rel-dlq-dead';
    broker.admin.createTopic(dlq, { dispatch: 'reliable' });
    const dcid = await wire.subscribe(dlq, 'watch', 'w');
    const drx = wire.receive(dcid);
    broker.admin.setSubscriptionPolicy(topic, 'q', {
      ackTimeoutMs: 100,
      baseRedeliveryDelayMs: 0,
      maxRedeliveryCount: 1,
      poisonPolicy: 'dead-letter',
      deadLetterTopic: dlq,
    });
    const { pid, rx, send } = await setup(topic, 'q');
    await send('poison');
    const [first] = await rx.waitFor(1);
    await wire.nack(first!, 'q', undefined, 'cannot parse');
    const [dead] = await drx.waitFor(1, 3000);
    expect(text(dead!)).toBe('poison');
    expect(dead!.msgId!.producerId).toBe(0n);
    expect(dead!.attributes).toMatchObject({
      'x-original-topic': topic,
      'x-original-subscription': 'q',
      'x-original-topic-offset': '0',
      'x-original-producer-id': String(pid),
      'x-poison-policy': 'dead_letter',
      'x-delivery-attempt': '2',
    });
    expect(dead!.attributes['x-failure-reason']).toBeDefined();
    rx.cancel();
    drx.cancel();
  });

  it('hands a disconnected Shared consumer’s unacked messages to another consumer', async () => {
    const topic = '/default/rel-shared';
    const pid = await wire.createProducer(topic, 'p', true);
    const c1 = await wire.subscribe(topic, 's', 'c1', SubType.Shared);
    const c2 = await wire.subscribe(topic, 's', 'c2', SubType.Shared);
    const r1 = wire.receive(c1);
    const r2 = wire.receive(c2);
    await sleep(30);
    for (let i = 0; i < 4; i++) await wire.send(pid, topic, `m${i}`);
    await r1.waitFor(2);
    await r2.waitFor(2);
    for (const m of r2.messages) await wire.ack(m, 's');
    r1.cancel();
    const got = await r2.waitFor(4, 2000);
    expect(got.slice(2).map(text).sort()).toEqual(r1.messages.map(text).sort());
    r2.cancel();
  });

  it('applies per-subscription settings from the options', async () => {
    const b = await startBroker({ port: 0, subscriptions: [{ topic: '/default/o', subscription: 's', maxUnackedMessages: 2 }] });
    try {
      expect(b.admin.getSubscriptionPolicy('/default/o', 's').maxUnackedMessages).toBe(2);
      expect(b.admin.getSubscriptionPolicy('/default/o', 'other').maxUnackedMessages).toBe(10);
    } finally {
      await b.close();
    }
  });
});
