import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { Wire, sleep, text } from './harness.js';

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

describe('fault injection', () => {
  it('fails the next N calls of an RPC with a chosen code, then recovers', async () => {
    const pid = await wire.createProducer('/default/f-fail', 'p');
    broker.faults.failNext('SendMessage', 2, status.UNAVAILABLE, 'try later');
    await expect(wire.send(pid, '/default/f-fail', 'a')).rejects.toMatchObject({ code: status.UNAVAILABLE, details: 'try later' });
    await expect(wire.send(pid, '/default/f-fail', 'b')).rejects.toMatchObject({ code: status.UNAVAILABLE });
    await expect(wire.send(pid, '/default/f-fail', 'c')).resolves.toBeDefined();
  });

  it('delays calls of an RPC', async () => {
    broker.faults.delay('TopicPartitions', 200, 1);
    const t0 = Date.now();
    await wire.partitions('/default/f-delay');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    const t1 = Date.now();
    await wire.partitions('/default/f-delay');
    expect(Date.now() - t1).toBeLessThan(150);
  });

  it('drops consumer streams with UNAVAILABLE; the consumer resubscribes and gets its unacked messages', async () => {
    const topic = '/default/f-drop';
    const pid = await wire.createProducer(topic, 'p', true);
    const cid = await wire.subscribe(topic, 's', 'c');
    const rx = wire.receive(cid);
    await sleep(30);
    await wire.send(pid, topic, 'm0');
    await rx.waitFor(1);
    expect(broker.faults.dropConsumerStreams({ topic })).toBe(1);
    await rx.waitEnd();
    expect(rx.error?.code).toBe(status.UNAVAILABLE);
    expect((await wire.healthCheck(1, cid)).status).toBe(1);
    expect(await wire.subscribe(topic, 's', 'c')).toBe(cid);
    const rx2 = wire.receive(cid);
    expect(text((await rx2.waitFor(1))[0]!)).toBe('m0');
    rx2.cancel();
  });

  it('restart() keeps topics, cursors and unacked messages in memory, on the same port', async () => {
    const topic = '/default/f-restart';
    const pid = await wire.createProducer(topic, 'p', true);
    const cid = await wire.subscribe(topic, 's', 'c');
    const rx = wire.receive(cid);
    await sleep(30);
    for (let i = 0; i < 3; i++) await wire.send(pid, topic, `r${i}`);
    const got = await rx.waitFor(3);
    await wire.ack(got[0]!, 's');
    const url = broker.url;
    await broker.restart();
    expect(broker.url).toBe(url);
    await rx.waitEnd();
    const rx2 = wire.receive(await wire.subscribe(topic, 's', 'c'));
    expect((await rx2.waitFor(2)).map(text)).toEqual(['r1', 'r2']);
    const pid2 = await wire.createProducer(topic, 'p', true);
    await wire.send(pid2, topic, 'r3');
    expect((await rx2.waitFor(3))[2]!.msgId!.topicOffset).toBe(3n);
    rx2.cancel();
  });

  it('ends every stream on close(), and close() is safe to call twice', async () => {
    const b = await startBroker({ port: 0 });
    const w = new Wire(b.url);
    await w.createProducer('/default/f-close', 'p');
    const rx = w.receive(await w.subscribe('/default/f-close', 's', 'c'));
    await sleep(30);
    await Promise.all([b.close(), b.close()]);
    await rx.waitEnd();
    expect(rx.error?.code).toBe(status.UNAVAILABLE);
    w.close();
  });
});
