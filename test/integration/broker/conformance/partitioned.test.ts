// Scenarios of partitioned_basic.rs, partitioned_variants.rs and partitioning_validation.rs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriptionType } from '../../../../src/client/index.js';
import { attached, collect, consumer, next, producer, startCluster, text, uniqueTopic, type Cluster } from './helpers.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.close());

const partitionsOf = (topic: string, n: number) => Array.from({ length: n }, (_, i) => `${topic}-part-${i}`);

describe('partitioned_basic', () => {
  it.each<SubscriptionType>(['exclusive', 'shared'])('one %s consumer merges every partition of a 3-partition topic', async (type) => {
    const topic = uniqueTopic(`/default/part_basic_${type}`);
    const p = await producer(cluster, { topic, name: `prod_part_${type}`, partitions: 3 });
    const c = await consumer(cluster, { topic, subscription: `sub_part_${type}`, consumerName: `cons_part_${type}`, type, dispatch: 'non-reliable' });
    await attached(cluster, topic, `sub_part_${type}`);
    const messages = ['Hello Danube 1', 'Hello Danube 2', 'Hello Danube 3'];
    for (const m of messages) await p.send(m);
    const got = await collect({ c }, messages.length, 10_000);
    expect(got.map((g) => text(g.message)).sort()).toEqual(messages);
    expect(new Set(got.map((g) => g.message.topic))).toEqual(new Set(partitionsOf(topic, 3)));
  });
});

describe('partitioned_variants', () => {
  it('Shared queue over 3 partitions: every partition seen, a near-equal share per consumer', async () => {
    const topic = uniqueTopic('/default/part_queue_shared');
    const p = await producer(cluster, { topic, name: 'prod_part_queue', partitions: 3 });
    const cs = await Promise.all(
      [0, 1, 2].map((i) =>
        consumer(cluster, { topic, subscription: 'part-queue-sub', consumerName: `pq-cons-${i}`, type: 'shared', dispatch: 'non-reliable' }),
      ),
    );
    await attached(cluster, topic, 'part-queue-sub', 3);
    for (let i = 0; i < 60; i++) await p.send(`pm${i}`);
    const got = await collect(Object.fromEntries(cs.map((c, i) => [`pq-cons-${i}`, c])), 60, 20_000);
    expect(new Set(got.map((g) => g.message.topic))).toEqual(new Set(partitionsOf(topic, 3)));
    const tolerance = Math.max(2, Math.floor(20 / 5));
    for (let i = 0; i < 3; i++) {
      const n = got.filter((g) => g.consumer === `pq-cons-${i}`).length;
      expect(Math.abs(n - 20)).toBeLessThanOrEqual(tolerance);
    }
  });

  it('Exclusive fan-out over 3 partitions: each subscriber receives every message', async () => {
    const topic = uniqueTopic('/default/part_fanout_excl');
    const p = await producer(cluster, { topic, name: 'prod_part_fanout', partitions: 3 });
    const cs = await Promise.all(
      [0, 1, 2].map((i) =>
        consumer(cluster, { topic, subscription: `pf-sub-${i}`, consumerName: `pf-cons-${i}`, type: 'exclusive', dispatch: 'non-reliable' }),
      ),
    );
    for (let i = 0; i < 3; i++) await attached(cluster, topic, `pf-sub-${i}`);
    const payloads = Array.from({ length: 45 }, (_, i) => `pm${i}`);
    for (const body of payloads) await p.send(body);
    const per = await Promise.all(cs.map((c) => collect({ c }, 45, 25_000)));
    const seen = new Set(per.flat().map((g) => g.message.topic));
    expect(seen).toEqual(new Set(partitionsOf(topic, 3)));
    for (const got of per) expect(got.map((g) => text(g.message)).sort()).toEqual([...payloads].sort());
  });
});

describe('partitioning_validation', () => {
  it('messages name the plain topic, or the partition they came from', async () => {
    const plain = uniqueTopic('/default/part_validation_np');
    const np = await producer(cluster, { topic: plain, name: 'np_producer' });
    const npc = await consumer(cluster, { topic: plain, subscription: 'np_sub', type: 'exclusive', dispatch: 'non-reliable' });
    await attached(cluster, plain, 'np_sub');
    await np.send('np');
    const m = await next(npc);
    expect(m.topic).toBe(plain);
    expect(m.msgId.topicName).toBe(plain);

    const topic = uniqueTopic('/default/part_validation_p');
    const pp = await producer(cluster, { topic, name: 'p_producer', partitions: 3 });
    const pc = await consumer(cluster, { topic, subscription: 'p_sub', type: 'exclusive', dispatch: 'non-reliable' });
    await attached(cluster, topic, 'p_sub');
    for (let i = 0; i < 6; i++) await pp.send(`p${i}`);
    const got = await collect({ pc }, 6, 10_000);
    expect(new Set(got.map((g) => g.message.msgId.topicName))).toEqual(new Set(partitionsOf(topic, 3)));
  });
});
