// Scenarios of reliable_dispatch_basic.rs and reliable_dispatch_heartbeat.rs.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriptionType } from '../../../../src/client/index.js';
import { consumer, next, producer, sleep, startCluster, take, text, uniqueTopic, type Cluster } from './helpers.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.close());

describe('reliable_dispatch_basic', () => {
  // The real tests send a 100 KiB file; any 100 KiB payload checks the same integrity.
  const blob = randomBytes(100 * 1024);

  it.each<SubscriptionType>(['exclusive', 'shared'])('%s: 20 messages of 100 KiB arrive intact and are acked', async (type) => {
    const topic = uniqueTopic(`/default/reliable_basic_${type}`);
    const p = await producer(cluster, { topic, name: `prod_reliable_${type}`, dispatch: 'reliable' });
    const c = await consumer(cluster, { topic, subscription: `sub_reliable_${type}`, consumerName: `cons_reliable_${type}`, type });
    for (let i = 0; i < 20; i++) await p.send(blob);
    const got = await take(c, 20, { timeoutMs: 15_000 });
    for (const m of got) expect(Buffer.from(m.payload).equals(blob)).toBe(true);
  });
});

describe('reliable_dispatch_heartbeat', () => {
  const start = async (name: string) => {
    const topic = uniqueTopic(`/default/heartbeat_${name}`);
    const p = await producer(cluster, { topic, name: `producer_${name}`, dispatch: 'reliable' });
    const c = await consumer(cluster, { topic, subscription: `sub_${name}`, consumerName: `consumer_${name}`, type: 'exclusive' });
    return { topic, p, c };
  };

  it('a burst of 100 sends, none awaited before the next is queued, arrives complete and in order', async () => {
    const { p, c } = await start('coalescing');
    const payloads = Array.from({ length: 100 }, (_, i) => `coalesce_msg_${i}`);
    await Promise.all(payloads.map((body) => p.send(body)));
    const got = await take(c, 100, { timeoutMs: 20_000 });
    expect(got.map(text)).toEqual(payloads);
  });

  it('messages sent right after subscribing, in bursts, all arrive in order', async () => {
    const { p, c } = await start('race');
    for (let i = 0; i < 50; i++) {
      await p.send(`race_msg_${i}`);
      if (i % 10 === 0) await sleep(1);
    }
    const got = await take(c, 50, { timeoutMs: 15_000 });
    expect(got.map((m) => Number(text(m).slice('race_msg_'.length)))).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('an unacked message is delivered again after the consumer closes and subscribes again by name', async () => {
    const { topic, p, c } = await start('disconnect');
    for (let i = 0; i < 3; i++) await p.send(`disconnect_msg_${i}`);
    expect((await take(c, 3)).map(text)).toEqual(['disconnect_msg_0', 'disconnect_msg_1', 'disconnect_msg_2']);
    await p.send('disconnect_msg_3');
    expect(text(await next(c))).toBe('disconnect_msg_3');
    await c.close();
    await sleep(300);
    const again = await consumer(cluster, { topic, subscription: 'sub_disconnect', consumerName: 'consumer_disconnect', type: 'exclusive' });
    const redelivered = await next(again, 10_000);
    expect(text(redelivered)).toBe('disconnect_msg_3');
    await again.ack(redelivered);
    for (let i = 4; i < 7; i++) await p.send(`disconnect_msg_${i}`);
    expect((await take(again, 3)).map(text)).toEqual(['disconnect_msg_4', 'disconnect_msg_5', 'disconnect_msg_6']);
  });

  it('bursts separated by pauses all arrive', async () => {
    const { p, c } = await start('poll_none');
    for (let burst = 0; burst < 3; burst++) {
      for (let i = 0; i < 10; i++) await p.send(`poll_none_msg_${burst * 10 + i}`);
      await sleep(800);
    }
    const got = (await take(c, 30, { timeoutMs: 20_000 })).map(text);
    for (let i = 0; i < 30; i++) expect(got).toContain(`poll_none_msg_${i}`);
  });
});
