// Scenarios of key_shared_basic.rs and key_shared_filtering.rs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from '../../../../src/client/index.js';
import { attached, collect, consumer, producer, sleep, startCluster, take, text, uniqueTopic, type Cluster } from './helpers.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.close());

/** Which consumers served each key, and each key's payloads in arrival order. */
function byKey(got: Array<{ consumer: string; message: { routingKey?: string; payload: Uint8Array } }>) {
  const consumers = new Map<string, Set<string>>();
  const order = new Map<string, string[]>();
  for (const g of got) {
    const key = g.message.routingKey!;
    if (!consumers.has(key)) consumers.set(key, new Set());
    consumers.get(key)!.add(g.consumer);
    order.set(key, [...(order.get(key) ?? []), Buffer.from(g.message.payload).toString()]);
  }
  return { consumers, order };
}

// The real tests use 4 to 10 keys; with two consumers on a hash ring that leaves a 1-in-8 to
// 1-in-512 chance that one consumer gets every key. 16 keys make "both get some" certain enough.
const keys = Array.from({ length: 16 }, (_, i) => `key-${i}`);

async function keyShared(
  topic: string,
  subscription: string,
  names: string[],
  filters: Record<string, string[]> = {},
  dispatch: 'reliable' | 'non-reliable' = 'reliable',
) {
  const out: Record<string, Consumer> = {};
  for (const name of names) {
    out[name] = await consumer(cluster, {
      topic,
      subscription,
      consumerName: name,
      type: 'key-shared',
      dispatch,
      ...(filters[name] ? { keyFilters: filters[name] } : {}),
    });
  }
  await attached(cluster, topic, subscription, names.length);
  return out;
}

describe('key_shared_basic', () => {
  it('non-reliable, one consumer: every keyed message arrives', async () => {
    const topic = uniqueTopic('/default/ks_basic_nr_single');
    const p = await producer(cluster, { topic, name: 'prod_ks_basic_nr' });
    const { c } = await keyShared(topic, 'ks_basic_nr_sub', ['c'], {}, 'non-reliable');
    const ks = ['user-1', 'user-2', 'user-3'];
    for (let i = 0; i < 9; i++) await p.send(`msg-${ks[i % 3]}-${i}`, { key: ks[i % 3] });
    expect(await take(c!, 9)).toHaveLength(9);
  });

  it('non-reliable, two consumers: each key goes to one consumer, and both get keys', async () => {
    const topic = uniqueTopic('/default/ks_affinity_nr');
    const p = await producer(cluster, { topic, name: 'prod_ks_affinity_nr' });
    const cs = await keyShared(topic, 'ks_affinity_nr_sub', ['ks-cons-0', 'ks-cons-1'], {}, 'non-reliable');
    for (let round = 0; round < 5; round++) {
      for (const key of keys) await p.send(`msg-${key}-${round}`, { key });
      await sleep(20);
    }
    const { consumers } = byKey(await collect(cs, keys.length * 5, 15_000));
    for (const served of consumers.values()) expect(served.size).toBe(1);
    expect(new Set([...consumers.values()].flatMap((s) => [...s])).size).toBe(2);
  });

  it('reliable, two consumers: per-key affinity and per-key order, both consumers used', async () => {
    const topic = uniqueTopic('/default/ks_affinity_rel');
    const p = await producer(cluster, { topic, name: 'prod_ks_affinity_rel', dispatch: 'reliable' });
    const cs = await keyShared(topic, 'ks_affinity_rel_sub', ['ks-rel-cons-0', 'ks-rel-cons-1']);
    for (let round = 0; round < 3; round++) {
      for (const key of keys) await p.send(`msg-${key}-${round}`, { key });
      await sleep(100);
    }
    const { consumers, order } = byKey(await collect(cs, keys.length * 3, 30_000));
    for (const served of consumers.values()) expect(served.size).toBe(1);
    for (const [key, payloads] of order) expect(payloads).toEqual([0, 1, 2].map((r) => `msg-${key}-${r}`));
    expect(new Set([...consumers.values()].flatMap((s) => [...s])).size).toBe(2);
  });

  it('reliable: ten messages of ten keys in flight at once, acked in reverse order', async () => {
    const topic = uniqueTopic('/default/ks_ooo_ack');
    const p = await producer(cluster, { topic, name: 'prod_ks_ooo_ack', dispatch: 'reliable' });
    const { c } = await keyShared(topic, 'ks_ooo_ack_sub', ['c']);
    for (let i = 0; i < 10; i++) await p.send(`ooo-msg-${i}`, { key: `key-${i}` });
    const got = await take(c!, 10, { ack: false });
    for (const m of got.reverse()) await c!.ack(m);
    expect(got).toHaveLength(10);
    // Every ack counted: nothing comes back.
    expect(await c!.receive({ timeoutMs: 300 })).toBeUndefined();
  });
});

describe('key_shared_filtering', () => {
  const only = (got: Array<{ consumer: string; message: { payload: Uint8Array } }>, name: string) =>
    got.filter((g) => g.consumer === name).map((g) => text(g.message as never));

  it('non-reliable: "user-*" and "order-*" consumers each get only their keys', async () => {
    const topic = uniqueTopic('/default/ks_filter_nr');
    const p = await producer(cluster, { topic, name: 'prod_ks_filter_nr' });
    const cs = await keyShared(topic, 'ks_filter_nr_sub', ['user', 'order'], { user: ['user-*'], order: ['order-*'] }, 'non-reliable');
    for (const key of ['user-1', 'user-2', 'user-3', 'order-1', 'order-2', 'order-3']) await p.send(`payload-${key}`, { key });
    const got = await collect(cs, 6);
    expect(only(got, 'user').sort()).toEqual(['payload-user-1', 'payload-user-2', 'payload-user-3']);
    expect(only(got, 'order').sort()).toEqual(['payload-order-1', 'payload-order-2', 'payload-order-3']);
  });

  it('reliable: "eu-*" and "us-*" consumers each get only their keys, in order', async () => {
    const topic = uniqueTopic('/default/ks_filter_rel');
    const p = await producer(cluster, { topic, name: 'prod_ks_filter_rel', dispatch: 'reliable' });
    const cs = await keyShared(topic, 'ks_filter_rel_sub', ['eu', 'us'], { eu: ['eu-*'], us: ['us-*'] });
    for (let round = 0; round < 3; round++) {
      for (const key of ['eu-west', 'eu-east', 'us-west', 'us-east']) await p.send(`${key}-${round}`, { key });
      await sleep(100);
    }
    const got = await collect(cs, 12, 20_000);
    const eu = only(got, 'eu');
    const us = only(got, 'us');
    expect(eu).toHaveLength(6);
    expect(us).toHaveLength(6);
    expect(eu.every((m) => m.startsWith('eu-'))).toBe(true);
    expect(us.every((m) => m.startsWith('us-'))).toBe(true);
    for (const key of ['eu-west', 'eu-east']) expect(eu.filter((m) => m.startsWith(key))).toEqual([0, 1, 2].map((r) => `${key}-${r}`));
  });

  it('a "vip-*" consumer next to an unfiltered one gets only vip keys; all messages arrive once', async () => {
    const topic = uniqueTopic('/default/ks_filter_mixed');
    const p = await producer(cluster, { topic, name: 'prod_ks_filter_mixed' });
    const cs = await keyShared(topic, 'ks_filter_mixed_sub', ['all', 'vip'], { vip: ['vip-*'] }, 'non-reliable');
    for (const key of ['vip-gold', 'vip-platinum', 'regular-1', 'regular-2']) await p.send(`payload-${key}`, { key });
    const got = await collect(cs, 4);
    expect(only(got, 'vip').every((m) => m.includes('vip-'))).toBe(true);
    expect(only(got, 'all').length).toBeGreaterThan(0);
    expect(
      only(got, 'all')
        .filter((m) => m.includes('regular-'))
        .sort(),
    ).toEqual(['payload-regular-1', 'payload-regular-2']);
    expect(got).toHaveLength(4);
  });

  it('several patterns per consumer: ["eu-*", "ap-*"] and ["us-*", "af-*"]', async () => {
    const topic = uniqueTopic('/default/ks_filter_multi');
    const p = await producer(cluster, { topic, name: 'prod_ks_filter_multi' });
    const cs = await keyShared(topic, 'ks_filter_multi_sub', ['euap', 'usaf'], { euap: ['eu-*', 'ap-*'], usaf: ['us-*', 'af-*'] }, 'non-reliable');
    for (const key of ['eu-west', 'ap-tokyo', 'us-east', 'af-cape']) await p.send(`${key}-data`, { key });
    const got = await collect(cs, 4);
    expect(only(got, 'euap').sort()).toEqual(['ap-tokyo-data', 'eu-west-data']);
    expect(only(got, 'usaf').sort()).toEqual(['af-cape-data', 'us-east-data']);
  });
});
