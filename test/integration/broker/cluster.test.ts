import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { TopicLookupResponse_LookupType as LookupType } from '../../../src/generated/danube/DanubeApi.js';
import { Metadata } from '@grpc/grpc-js';
import { Wire, sleep, text } from './harness.js';

let broker: Broker;
let wires: Wire[];

beforeAll(async () => {
  broker = await startBroker({ port: 0, brokers: 3 });
  wires = broker.urls.map((u) => new Wire(u));
});
afterAll(async () => {
  wires.forEach((w) => w.close());
  await broker.close();
});

describe('a cluster of brokers in one process', () => {
  it('listens on one port per broker', () => {
    expect(broker.urls).toHaveLength(3);
    expect(new Set(broker.urls).size).toBe(3);
    expect(broker.url).toBe(broker.urls[0]);
  });

  it('answers UNAVAILABLE "redo the lookup" when a producer auto-creates, then redirects to the owner', async () => {
    const topic = '/default/cl-a';
    await expect(wires[0]!.createProducer(topic, 'p', true)).rejects.toMatchObject({
      code: status.UNAVAILABLE,
      details: 'The topic metadata was created, need to redo the lookup to find the correct broker',
    });
    const owner = broker.admin.describeTopic(topic)!.broker;
    for (let i = 0; i < 3; i++) {
      const res = await wires[i]!.lookup(topic);
      expect(res.responseType).toBe(i === owner ? LookupType.Connect : LookupType.Redirect);
      expect(res.brokerUrl).toBe(broker.urls[owner]);
      expect(res.connectUrl).toBe(broker.urls[owner]);
    }
  });

  it('refuses CreateProducer and Subscribe on a broker that does not own the topic', async () => {
    const topic = '/default/cl-b';
    broker.admin.createTopic(topic, { dispatch: 'reliable' });
    const owner = broker.admin.describeTopic(topic)!.broker;
    const other = (owner + 1) % 3;
    const redo = { code: status.UNAVAILABLE, details: 'The topic exists but is served by another broker, redo the Lookup request' };
    await expect(wires[other]!.createProducer(topic, 'p', true)).rejects.toMatchObject(redo);
    await expect(wires[other]!.subscribe(topic, 's', 'c')).rejects.toMatchObject(redo);
    const pid = await wires[owner]!.createProducer(topic, 'p', true);
    const cid = await wires[owner]!.subscribe(topic, 's', 'c');
    const rx = wires[owner]!.receive(cid);
    await sleep(30);
    await wires[owner]!.send(pid, topic, 'hello');
    expect(text((await rx.waitFor(1))[0]!)).toBe('hello');
    // ids belong to the broker that created them
    expect((await wires[other]!.healthCheck(0, pid)).status).toBe(1);
    expect((await wires[owner]!.healthCheck(0, pid)).status).toBe(0);
    await expect(wires[other]!.send(pid, topic, 'x')).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(wires[other]!.ack(rx.messages[0]!, 's')).rejects.toMatchObject({ code: status.INTERNAL });
    await wires[owner]!.ack(rx.messages[0]!, 's');
    rx.cancel();
  });

  it('spreads the partitions of a topic over the brokers', async () => {
    broker.admin.createTopic('/default/cl-parts', { partitions: 6 });
    const { partitions } = await wires[1]!.partitions('/default/cl-parts');
    const owners = new Set(partitions.map((p) => broker.admin.describeTopic(p)!.broker));
    expect(owners.size).toBe(3);
  });

  it('moves a topic to another broker: old sessions get CLOSE, lookups redirect, unacked messages follow', async () => {
    const topic = '/default/cl-move';
    broker.admin.createTopic(topic, { dispatch: 'reliable' });
    const from = broker.admin.describeTopic(topic)!.broker;
    const pid = await wires[from]!.createProducer(topic, 'p', true);
    const cid = await wires[from]!.subscribe(topic, 's', 'c');
    const rx = wires[from]!.receive(cid);
    await sleep(30);
    await wires[from]!.send(pid, topic, 'before');
    await rx.waitFor(1);
    const to = broker.admin.moveTopic(topic);
    expect(to).not.toBe(from);
    await rx.waitEnd();
    expect(rx.error?.code).toBe(status.UNAVAILABLE);
    expect((await wires[from]!.healthCheck(0, pid)).status).toBe(1);
    expect((await wires[from]!.healthCheck(1, cid)).status).toBe(1);
    await expect(wires[from]!.send(pid, topic, 'x')).rejects.toMatchObject({ code: status.NOT_FOUND });
    const res = await wires[from]!.lookup(topic);
    expect(res.responseType).toBe(LookupType.Redirect);
    expect(res.brokerUrl).toBe(broker.urls[to]);
    await expect(wires[from]!.subscribe(topic, 's', 'c')).rejects.toMatchObject({ code: status.UNAVAILABLE });
    const rx2 = wires[to]!.receive(await wires[to]!.subscribe(topic, 's', 'c'));
    const pid2 = await wires[to]!.createProducer(topic, 'p', true);
    await wires[to]!.send(pid2, topic, 'after');
    expect((await rx2.waitFor(2)).map(text)).toEqual(['before', 'after']);
    rx2.cancel();
  });

  it('serves a cluster behind a proxy: lookups answer proxy=true, calls are routed by x-danube-broker-url', async () => {
    const b = await startBroker({ port: 0, brokers: 2, proxy: true });
    const viaProxy = new Wire(b.url);
    try {
      expect(b.url).toBe(b.proxyUrl);
      expect(b.urls).not.toContain(b.url);
      const topic = '/default/px';
      b.admin.createTopic(topic, { dispatch: 'reliable' });
      b.admin.moveTopic(topic, 1);
      const res = await viaProxy.lookup(topic);
      expect(res).toMatchObject({ connectUrl: b.proxyUrl, brokerUrl: b.urls[1], proxy: true });
      // without the header the proxy hands calls to the first broker, which does not own the topic
      await expect(viaProxy.createProducer(topic, 'p', true)).rejects.toMatchObject({ code: status.UNAVAILABLE });
      viaProxy.md = new Metadata();
      viaProxy.md.set('x-danube-broker-url', res.brokerUrl);
      const pid = await viaProxy.createProducer(topic, 'p', true);
      const cid = await viaProxy.subscribe(topic, 's', 'c');
      const rx = viaProxy.receive(cid);
      await sleep(30);
      await viaProxy.send(pid, topic, 'through the proxy');
      expect(text((await rx.waitFor(1))[0]!)).toBe('through the proxy');
      await viaProxy.ack(rx.messages[0]!, 's');
      expect((await viaProxy.healthCheck(1, cid)).status).toBe(0);
      viaProxy.md.set('x-danube-broker-url', 'http://127.0.0.1:1');
      await expect(viaProxy.partitions(topic)).rejects.toMatchObject({ code: status.UNAVAILABLE });
      rx.cancel();
    } finally {
      viaProxy.close();
      await b.close();
    }
  });
});
