import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerError, BrokerOptionsError, startBroker, type Broker } from '../../../src/broker/index.js';
import { TopicLookupResponse_LookupType } from '../../../src/generated/danube/DanubeApi.js';
import { SubType, Wire, sleep, text } from './harness.js';

let broker: Broker;
let wire: Wire;

beforeAll(async () => {
  broker = await startBroker({ port: 0 });
  wire = new Wire(broker.url);
});
afterAll(async () => {
  wire.close();
  await broker.close();
});

describe('single broker core', () => {
  it('listens on 127.0.0.1 and reports its URL', () => {
    expect(broker.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(broker.urls).toEqual([broker.url]);
  });

  it('auto-creates a topic on CreateProducer, then looks it up as Connect to itself', async () => {
    await expect(wire.lookup('/default/core-a')).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: 'Unable to find the requested topic: /default/core-a',
    });
    await wire.createProducer('/default/core-a', 'p1');
    const res = await wire.lookup('/default/core-a');
    expect(res.responseType).toBe(TopicLookupResponse_LookupType.Connect);
    expect(res.brokerUrl).toBe(broker.url);
    expect(res.connectUrl).toBe(broker.url);
    expect(res.proxy).toBe(false);
    expect((await wire.partitions('/default/core-a')).partitions).toEqual(['/default/core-a']);
  });

  it('returns the same producer id for the same producer name', async () => {
    const a = await wire.createProducer('/default/core-idem', 'same');
    const b = await wire.createProducer('/default/core-idem', 'same');
    const c = await wire.createProducer('/default/core-idem', 'other');
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it('delivers reliable messages with offsets from 0 and takes acks', async () => {
    const topic = '/default/core-rel';
    const pid = await wire.createProducer(topic, 'p', true);
    const cid = await wire.subscribe(topic, 'sub', 'c1');
    const rx = wire.receive(cid);
    await sleep(50);
    for (let i = 0; i < 3; i++) await wire.send(pid, topic, `m${i}`);
    const msgs = await rx.waitFor(3);
    expect(msgs.map(text)).toEqual(['m0', 'm1', 'm2']);
    expect(msgs.map((m) => m.msgId!.topicOffset)).toEqual([0n, 1n, 2n]);
    expect(msgs[0]!.subscriptionName).toBe('');
    for (const m of msgs) await wire.ack(m, 'sub');
    expect(broker.admin.describeTopic(topic)!.subscriptions[0]!.backlog).toBe(0);
    rx.cancel();
  });

  it('delivers non-reliable messages to a live Shared subscription round-robin', async () => {
    const topic = '/default/core-nr';
    const pid = await wire.createProducer(topic, 'p');
    const c1 = await wire.subscribe(topic, 'sh', 'c1', SubType.Shared);
    const c2 = await wire.subscribe(topic, 'sh', 'c2', SubType.Shared);
    const r1 = wire.receive(c1);
    const r2 = wire.receive(c2);
    await sleep(50);
    for (let i = 0; i < 4; i++) await wire.send(pid, topic, `n${i}`);
    await r1.waitFor(2);
    await r2.waitFor(2);
    expect([...r1.messages, ...r2.messages].map(text).sort()).toEqual(['n0', 'n1', 'n2', 'n3']);
    expect(r1.messages.map(text)).toEqual(['n0', 'n2']);
    r1.cancel();
    r2.cancel();
  });

  it('answers HealthCheck OK for live producers and consumers and CLOSE for unknown ids', async () => {
    const pid = await wire.createProducer('/default/core-hc', 'p');
    const cid = await wire.subscribe('/default/core-hc', 's', 'c');
    expect((await wire.healthCheck(0, pid)).status).toBe(0);
    expect((await wire.healthCheck(1, cid)).status).toBe(0);
    expect((await wire.healthCheck(0, 12345n)).status).toBe(1);
    expect((await wire.healthCheck(1, 12345n)).status).toBe(1);
    await expect(wire.healthCheck(7, cid)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('deletes a topic through admin: lookups fail, its producer and consumer get CLOSE and NOT_FOUND', async () => {
    const topic = '/default/core-del';
    const pid = await wire.createProducer(topic, 'p', true);
    const cid = await wire.subscribe(topic, 's', 'c');
    const rx = wire.receive(cid);
    await sleep(30);
    expect(broker.admin.deleteTopic(topic)).toEqual([topic]);
    await rx.waitEnd();
    expect((await wire.healthCheck(0, pid)).status).toBe(1);
    expect((await wire.healthCheck(1, cid)).status).toBe(1);
    await expect(wire.lookup(topic)).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(wire.send(pid, topic, 'x')).rejects.toMatchObject({ code: status.NOT_FOUND });
    broker.admin.createTopic('/default/core-del-parts', { partitions: 2 });
    expect(broker.admin.deleteTopic('/default/core-del-parts')).toEqual(['/default/core-del-parts-part-0', '/default/core-del-parts-part-1']);
  });

  it('refuses to start on a port in use, or with an unknown option, naming the problem', async () => {
    const port = Number(new URL(broker.url).port);
    await expect(startBroker({ port })).rejects.toThrow(BrokerError);
    await expect(startBroker({ port })).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+/);
    await expect(startBroker({ port: 0, dispatch: { ackTimeout: 1 } } as never)).rejects.toThrow(BrokerOptionsError);
  });
});
