// Scenarios of key_shared_partitioned.rs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from '../../../../src/client/index.js';
import { attached, Collector, collect, consumer, producer, sleep, startCluster, text, uniqueTopic, type Cluster } from './helpers.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.close());

const affinity = (got: Array<{ consumer: string; message: { routingKey?: string } }>) => {
  const served = new Map<string, Set<string>>();
  for (const g of got) {
    const key = g.message.routingKey!;
    served.set(key, (served.get(key) ?? new Set()).add(g.consumer));
  }
  return served;
};

async function group(topic: string, subscription: string, n: number, prefix: string, dispatch: 'reliable' | 'non-reliable') {
  const cs: Record<string, Consumer> = {};
  for (let i = 0; i < n; i++)
    cs[`${prefix}-${i}`] = await consumer(cluster, { topic, subscription, consumerName: `${prefix}-${i}`, type: 'key-shared', dispatch });
  await attached(cluster, topic, subscription, n);
  return cs;
}

describe('key_shared_partitioned', () => {
  it('3 partitions, one Key-Shared consumer: everything arrives, keys spread over partitions', async () => {
    const topic = uniqueTopic('/default/ks_part_single');
    const p = await producer(cluster, { topic, name: 'prod_ks_part', partitions: 3 });
    const cs = await group(topic, 'ks_part_sub', 1, 'cons_ks_part', 'non-reliable');
    const keys = ['user-a', 'user-b', 'user-c', 'user-d', 'user-e'];
    for (let round = 0; round < 3; round++) for (const key of keys) await p.send(`${key}-${round}`, { key });
    const got = await collect(cs, 15);
    expect(got).toHaveLength(15);
    expect(new Set(got.map((g) => g.message.topic)).size).toBeGreaterThanOrEqual(2);
  });

  it('3 partitions, two consumers: each key is served by one consumer', async () => {
    const topic = uniqueTopic('/default/ks_part_multi');
    const p = await producer(cluster, { topic, name: 'prod_ks_part_multi', partitions: 3 });
    const cs = await group(topic, 'ks_part_multi_sub', 2, 'ks-part-cons', 'non-reliable');
    const keys = Array.from({ length: 16 }, (_, i) => `k${i}`);
    for (let round = 0; round < 3; round++) for (const key of keys) await p.send(`${key}-${round}`, { key });
    const served = affinity(await collect(cs, 48, 20_000));
    for (const s of served.values()) expect(s.size).toBe(1);
    expect(new Set([...served.values()].flatMap((s) => [...s])).size).toBe(2);
  });

  it('a third consumer joining mid-stream: every message delivered exactly once', async () => {
    const topic = uniqueTopic('/default/ks_churn');
    const p = await producer(cluster, { topic, name: 'prod_ks_churn' });
    const cs = await group(topic, 'ks_churn_sub', 2, 'ks-churn-cons', 'non-reliable');
    const reading = new Collector(cs);
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
    const tranche = async (from: number) => {
      for (let round = from; round < from + 2; round++) {
        for (const key of keys) await p.send(`${key}-${round}`, { key });
        await sleep(10);
      }
    };
    await tranche(0);
    const third = await consumer(cluster, {
      topic,
      subscription: 'ks_churn_sub',
      consumerName: 'ks-churn-cons-2',
      type: 'key-shared',
      dispatch: 'non-reliable',
    });
    await attached(cluster, topic, 'ks_churn_sub', 3);
    reading.add('ks-churn-cons-2', third);
    await sleep(300);
    await tranche(2);
    const got = await reading.waitFor(24, 20_000);
    await sleep(200);
    await reading.stop();
    expect(new Set(got.map((g) => text(g.message))).size).toBe(24);
    expect(reading.got).toHaveLength(24);
    expect(reading.count('ks-churn-cons-0') + reading.count('ks-churn-cons-1')).toBeGreaterThan(0);
  });

  it('reliable, 2 partitions, two consumers: all delivered and acked, per-key affinity', async () => {
    const topic = uniqueTopic('/default/ks_rel_part');
    const p = await producer(cluster, { topic, name: 'prod_ks_rel_part', partitions: 2, dispatch: 'reliable' });
    const cs = await group(topic, 'ks_rel_part_sub', 2, 'ks-rel-part-cons', 'reliable');
    const keys = ['acc-100', 'acc-200', 'acc-300', 'acc-400'];
    for (let round = 0; round < 5; round++) for (const key of keys) await p.send(`${key}-${round}`, { key });
    const served = affinity(await collect(cs, 20, 25_000));
    for (const s of served.values()) expect(s.size).toBe(1);
  });
});
