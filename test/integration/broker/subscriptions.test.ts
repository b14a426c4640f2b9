import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { fnv1a32 } from '../../../src/broker/hash-ring.js';
import { SubType, Wire, sleep, text } from './harness.js';

let broker: Broker;
let wire: Wire;

beforeAll(async () => {
  broker = await startBroker({ port: 0, dispatch: { ackTimeoutMs: 2000 } });
  wire = new Wire(broker.url);
});
afterAll(async () => {
  wire.close();
  await broker.close();
});

describe('subscription types and consumer lifecycle', () => {
  it('drops non-reliable messages when a consumer does not read its stream', async () => {
    const topic = '/default/sub-drop';
    const pid = await wire.createProducer(topic, 'p');
    const cid = await wire.subscribe(topic, 's', 'c');
    const rx = wire.receive(cid);
    await sleep(30);
    rx.stream.pause();
    const payload = Buffer.alloc(16 * 1024, 1);
    for (let i = 0; i < 200; i++) await wire.send(pid, topic, payload);
    rx.stream.resume();
    await sleep(300);
    // HTTP/2 windows hold a few hundred KiB at most; the rest was dropped, not queued.
    expect(rx.messages.length).toBeGreaterThan(0);
    expect(rx.messages.length).toBeLessThan(150);
    rx.cancel();
  });

  it('sends non-reliable messages to nobody when no consumer is connected (no storage)', async () => {
    const topic = '/default/sub-none';
    const pid = await wire.createProducer(topic, 'p');
    const cid = await wire.subscribe(topic, 's', 'c');
    await wire.send(pid, topic, 'lost');
    const rx = wire.receive(cid);
    await sleep(30);
    await wire.send(pid, topic, 'seen');
    const [m] = await rx.waitFor(1);
    expect(text(m!)).toBe('seen');
    rx.cancel();
  });

  it('Failover: only the first consumer receives while it is registered', async () => {
    const topic = '/default/sub-fo';
    const pid = await wire.createProducer(topic, 'p', true);
    const a = await wire.subscribe(topic, 'f', 'a', SubType.Failover);
    const b = await wire.subscribe(topic, 'f', 'b', SubType.Failover);
    const ra = wire.receive(a);
    const rb = wire.receive(b);
    await sleep(30);
    for (let i = 0; i < 3; i++) await wire.send(pid, topic, `m${i}`);
    await ra.waitFor(3);
    expect(rb.messages).toHaveLength(0);
    ra.cancel();
    rb.cancel();
  });

  it('KeyShared: routes each key to one consumer by the FNV-1a-32 ring and keeps per-key order', async () => {
    const topic = '/default/sub-ks';
    const pid = await wire.createProducer(topic, 'p', true);
    const ids = [await wire.subscribe(topic, 'k', 'c1', SubType.KeyShared), await wire.subscribe(topic, 'k', 'c2', SubType.KeyShared)];
    const rxs = ids.map((id) => wire.receive(id));
    await sleep(30);
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    for (let round = 0; round < 2; round++) {
      for (const k of keys) await wire.send(pid, topic, `${k}#${round}`, { routingKey: k });
    }
    // Ack as they come so each key's second message can follow.
    const seen = new Map<string, number>();
    const deadline = Date.now() + 5000;
    let total = 0;
    while (total < 40 && Date.now() < deadline) {
      total = 0;
      for (let i = 0; i < 2; i++) {
        for (const m of rxs[i]!.messages) {
          const key = text(m).split('#')[0]!;
          if (!seen.has(`${key}@${m.msgId!.topicOffset}`)) {
            seen.set(`${key}@${m.msgId!.topicOffset}`, i);
            await wire.ack(m, 'k');
          }
        }
        total += rxs[i]!.messages.length;
      }
      await sleep(20);
    }
    expect(total).toBe(40);
    // expected owner per key from the same ring the real broker builds
    const ring = ids.flatMap((id, idx) => Array.from({ length: 100 }, (_, v) => [fnv1a32(`${id}-${v}`), idx] as const)).sort((x, y) => x[0] - y[0]);
    const owner = (k: string) => (ring.find(([h]) => h >= fnv1a32(k)) ?? ring[0]!)[1];
    for (const k of keys) {
      const got = [0, 1].filter((i) => rxs[i]!.messages.some((m) => text(m).startsWith(`${k}#`)));
      expect(got).toEqual([owner(k)]);
      const order = rxs[owner(k)]!.messages.filter((m) => text(m).startsWith(`${k}#`)).map(text);
      expect(order).toEqual([`${k}#0`, `${k}#1`]);
    }
    rxs.forEach((r) => r.cancel());
  });

  it('KeyShared: holds a key’s next message until the previous one is acked (reliable)', async () => {
    const topic = '/default/sub-ks-order';
    const pid = await wire.createProducer(topic, 'p', true);
    const id = await wire.subscribe(topic, 'k', 'c1', SubType.KeyShared);
    const rx = wire.receive(id);
    await sleep(30);
    await wire.send(pid, topic, 'a1', { routingKey: 'a' });
    await wire.send(pid, topic, 'a2', { routingKey: 'a' });
    await wire.send(pid, topic, 'b1', { routingKey: 'b' });
    await rx.waitFor(2);
    await sleep(100);
    expect(rx.messages.map(text)).toEqual(['a1', 'b1']);
    await wire.ack(rx.messages[0]!, 'k');
    const msgs = await rx.waitFor(3);
    expect(text(msgs[2]!)).toBe('a2');
    rx.cancel();
  });

  it('KeyShared: key filters select consumers; keys nobody accepts are skipped', async () => {
    const topic = '/default/sub-ks-filter';
    const pid = await wire.createProducer(topic, 'p');
    const eu = await wire.subscribe(topic, 'k', 'eu', SubType.KeyShared, ['eu-*']);
    const us = await wire.subscribe(topic, 'k', 'us', SubType.KeyShared, ['us-?']);
    const reu = wire.receive(eu);
    const rus = wire.receive(us);
    await sleep(30);
    for (const k of ['eu-paris', 'us-1', 'us-10', 'eu-rome']) await wire.send(pid, topic, k, { routingKey: k });
    await reu.waitFor(2);
    await rus.waitFor(1);
    await sleep(100);
    expect(reu.messages.map(text)).toEqual(['eu-paris', 'eu-rome']);
    expect(rus.messages.map(text)).toEqual(['us-1']);
    reu.cancel();
    rus.cancel();
  });

  it('takes over a consumer by name: same id, the old stream is cancelled, unacked messages come again', async () => {
    const topic = '/default/sub-takeover';
    const pid = await wire.createProducer(topic, 'p', true);
    const id1 = await wire.subscribe(topic, 's', 'worker');
    const r1 = wire.receive(id1);
    await sleep(30);
    await wire.send(pid, topic, 'm0');
    await r1.waitFor(1);
    const other = new Wire(broker.url);
    const id2 = await other.subscribe(topic, 's', 'worker');
    expect(id2).toBe(id1);
    await r1.waitEnd();
    expect(r1.error?.code).toBe(status.CANCELLED);
    const r2 = other.receive(id2);
    const [again] = await r2.waitFor(1);
    expect(text(again!)).toBe('m0');
    r2.cancel();
    other.close();
  });

  it('answers HealthCheck CLOSE once a consumer’s stream is detached, OK again after takeover', async () => {
    const topic = '/default/sub-hc';
    await wire.createProducer(topic, 'p');
    const id = await wire.subscribe(topic, 's', 'c');
    const rx = wire.receive(id);
    await sleep(30);
    expect((await wire.healthCheck(1, id)).status).toBe(0);
    rx.cancel();
    await sleep(50);
    expect((await wire.healthCheck(1, id)).status).toBe(1);
    expect(await wire.subscribe(topic, 's', 'c')).toBe(id);
    expect((await wire.healthCheck(1, id)).status).toBe(0);
  });

  it('answers CLOSE for producers and consumers after a restart, and NOT_FOUND on send', async () => {
    const b = await startBroker({ port: 0 });
    const w = new Wire(b.url);
    try {
      const pid = await w.createProducer('/default/rs', 'p', true);
      const cid = await w.subscribe('/default/rs', 's', 'c');
      const port = b.url;
      await b.restart();
      expect(b.url).toBe(port);
      expect((await w.healthCheck(0, pid)).status).toBe(1);
      expect((await w.healthCheck(1, cid)).status).toBe(1);
      await expect(w.send(pid, '/default/rs', 'x')).rejects.toMatchObject({ code: status.NOT_FOUND });
      // the topic and subscription survive: a new producer and the same consumer name work
      const pid2 = await w.createProducer('/default/rs', 'p', true);
      const cid2 = await w.subscribe('/default/rs', 's', 'c');
      const rx = w.receive(cid2);
      await sleep(30);
      await w.send(pid2, '/default/rs', 'after');
      expect(text((await rx.waitFor(1))[0]!)).toBe('after');
      rx.cancel();
    } finally {
      w.close();
      await b.close();
    }
  });
});
