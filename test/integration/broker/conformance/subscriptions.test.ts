// Scenarios of subscription_basic.rs, pubsub_fanout_exclusive.rs, queuing_shared_round_robin.rs,
// consumer_churn.rs and producer_reconnect.rs (non-reliable topics, the Rust producer's default).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriptionType } from '../../../../src/client/index.js';
import { attached, collect, Collector, consumer, next, producer, sleep, startCluster, text, uniqueTopic, type Cluster } from './helpers.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.close());

describe('subscription_basic', () => {
  it.each<SubscriptionType>(['shared', 'exclusive'])('one producer and one %s consumer: the message arrives as sent and is acked', async (type) => {
    const topic = uniqueTopic(`/default/basic_${type}`);
    const p = await producer(cluster, { topic, name: `prod_${type}` });
    const c = await consumer(cluster, { topic, subscription: `sub_${type}`, consumerName: `cons_${type}`, type, dispatch: 'non-reliable' });
    await attached(cluster, topic, `sub_${type}`);
    await p.send('Hello Danube');
    const m = await next(c, 10_000);
    expect(text(m)).toBe('Hello Danube');
    await c.ack(m);
  });
});

describe('pubsub_fanout_exclusive', () => {
  it('three Exclusive subscriptions each receive every message', async () => {
    const topic = uniqueTopic('/default/fanout_exclusive');
    const p = await producer(cluster, { topic, name: 'prod_fanout' });
    const cs = await Promise.all(
      [0, 1, 2].map((i) =>
        consumer(cluster, { topic, subscription: `fanout-sub-${i}`, consumerName: `fanout-cons-${i}`, type: 'exclusive', dispatch: 'non-reliable' }),
      ),
    );
    for (let i = 0; i < 3; i++) await attached(cluster, topic, `fanout-sub-${i}`);
    const payloads = Array.from({ length: 24 }, (_, i) => `m${i}`);
    for (const body of payloads) await p.send(body);
    const per = await Promise.all(cs.map((c) => collect({ c }, payloads.length, 20_000)));
    for (const got of per) expect(got.map((g) => text(g.message)).sort()).toEqual([...payloads].sort());
  });
});

describe('queuing_shared_round_robin', () => {
  it('three consumers of one Shared subscription get an equal share, each message once', async () => {
    const topic = uniqueTopic('/default/queue_shared');
    const p = await producer(cluster, { topic, name: 'prod_queue' });
    const cs = await Promise.all(
      [0, 1, 2].map((i) => consumer(cluster, { topic, subscription: 'queue-sub', consumerName: `queue-cons-${i}`, type: 'shared', dispatch: 'non-reliable' })),
    );
    await attached(cluster, topic, 'queue-sub', 3);
    for (let i = 0; i < 36; i++) await p.send(`q${i}`);
    const got = await collect(Object.fromEntries(cs.map((c, i) => [`queue-cons-${i}`, c])), 36, 15_000);
    expect(new Set(got.map((g) => text(g.message))).size).toBe(36);
    for (let i = 0; i < 3; i++) expect(got.filter((g) => g.consumer === `queue-cons-${i}`)).toHaveLength(12);
  });
});

describe('consumer_churn', () => {
  it('Shared: a third consumer joining mid-stream gets a share, and nothing is lost or doubled', async () => {
    const topic = uniqueTopic('/default/churn_shared');
    const p = await producer(cluster, { topic, name: 'prod_churn_shared' });
    const opts = (i: number) => ({
      topic,
      subscription: 'churn-shared-sub',
      consumerName: `cs-cons-${i}`,
      type: 'shared' as const,
      dispatch: 'non-reliable' as const,
    });
    const c0 = await consumer(cluster, opts(0));
    const c1 = await consumer(cluster, opts(1));
    await attached(cluster, topic, 'churn-shared-sub', 2);
    const reading = new Collector({ 'cs-cons-0': c0, 'cs-cons-1': c1 });
    for (let i = 0; i < 15; i++) {
      await p.send(`m${i}`);
      await sleep(10);
    }
    const c2 = await consumer(cluster, opts(2));
    await attached(cluster, topic, 'churn-shared-sub', 3);
    reading.add('cs-cons-2', c2);
    for (let i = 15; i < 45; i++) await p.send(`m${i}`);
    const all = [...(await reading.waitFor(45, 25_000))];
    await sleep(200); // nothing more may arrive: each message once
    await reading.stop();
    const payloads = all.map((g) => text(g.message));
    expect(new Set(payloads).size).toBe(45);
    expect(reading.got).toHaveLength(45);
    for (const name of ['cs-cons-0', 'cs-cons-1', 'cs-cons-2']) expect(all.some((g) => g.consumer === name)).toBe(true);
  });

  it('Exclusive fan-out: early subscribers get everything, a late joiner gets what follows its join', async () => {
    const topic = uniqueTopic('/default/churn_exclusive');
    const p = await producer(cluster, { topic, name: 'prod_churn_excl' });
    const sub = (i: number) => ({
      topic,
      subscription: `ce-sub-${i}`,
      consumerName: `ce-cons-${i}`,
      type: 'exclusive' as const,
      dispatch: 'non-reliable' as const,
    });
    const c0 = await consumer(cluster, sub(0));
    const c1 = await consumer(cluster, sub(1));
    await attached(cluster, topic, 'ce-sub-0');
    await attached(cluster, topic, 'ce-sub-1');
    const r0 = collect({ c0 }, 45, 30_000);
    const r1 = collect({ c1 }, 45, 30_000);
    for (let i = 0; i < 15; i++) {
      await p.send(`m${i}`);
      await sleep(10);
    }
    const c2 = await consumer(cluster, sub(2));
    await attached(cluster, topic, 'ce-sub-2');
    const r2 = collect({ c2 }, 30, 30_000);
    for (let i = 15; i < 45; i++) await p.send(`m${i}`);
    const [g0, g1, g2] = await Promise.all([r0, r1, r2]);
    expect(new Set(g0.map((g) => text(g.message))).size).toBe(45);
    expect(new Set(g1.map((g) => text(g.message))).size).toBe(45);
    expect(g2.map((g) => text(g.message))).toEqual(Array.from({ length: 30 }, (_, i) => `m${i + 15}`));
  });
});

describe('producer_reconnect', () => {
  it('a producer keeps sending after another producer was created with its name', async () => {
    const topic = uniqueTopic('/default/producer_reconnect');
    const first = await producer(cluster, { topic, name: 'test_producer_reconnect' });
    const c = await consumer(cluster, { topic, subscription: 'reconnect-sub', type: 'exclusive', dispatch: 'non-reliable' });
    await attached(cluster, topic, 'reconnect-sub');
    await first.send('Hello Danube');
    // The broker treats the same name as a reconnect of the same producer.
    await producer(cluster, { topic, name: 'test_producer_reconnect' }, cluster.newClient());
    await first.send('Hello again');
    expect(text(await next(c))).toBe('Hello Danube');
    expect(text(await next(c))).toBe('Hello again');
  });
});
