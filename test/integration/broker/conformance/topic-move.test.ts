// Scenarios of reliable_topic_move_shared_fs.rs (ignored upstream: they need a multi-broker
// cluster on shared storage, which the embedded cluster is): an admin unload moves a reliable
// topic to another broker without losing its messages, offsets or cursors.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumer, next, producer, sleep, startCluster, take, text, uniqueTopic, type Cluster } from './helpers.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ brokers: 3 });
});
afterAll(() => cluster.close());

/** Which broker serves `topic`, found as the real test does: each broker's topic list. */
async function assignment(topic: string): Promise<{ brokerId: string; dispatch: string } | undefined> {
  for (const b of await cluster.admin.brokers.list()) {
    const entry = (await cluster.admin.topics.listOnBroker(b.id)).find((t) => t.name === topic);
    if (entry) return { brokerId: entry.brokerId, dispatch: entry.dispatch };
  }
  return undefined;
}

async function waitForAssignment(topic: string, previous?: string) {
  const until = Date.now() + 10_000;
  for (;;) {
    const found = await assignment(topic);
    if (found && found.brokerId !== '' && found.brokerId !== previous) return found;
    if (Date.now() > until) throw new Error(`${topic} was not assigned away from ${previous}`);
    await sleep(100);
  }
}

describe('reliable_topic_move', () => {
  const blob = randomBytes(100 * 1024);

  it('acked messages stay acked, the unconsumed tail survives, and offsets continue on the new broker', async () => {
    const topic = uniqueTopic('/default/reliable_move');
    const subscription = `sub-${topic.replaceAll('/', '-')}`;
    const p = await producer(cluster, { topic, name: 'producer_topic_move', dispatch: 'reliable' });
    const c = await consumer(cluster, { topic, subscription, consumerName: 'consumer_topic_move', type: 'exclusive' });
    for (let i = 0; i < 10; i++) await p.send(blob);
    const original = await waitForAssignment(topic);
    expect(original.dispatch).toBe('reliable');
    for (const m of await take(c, 5)) expect(Buffer.from(m.payload).equals(blob)).toBe(true);
    await c.close();
    await p.close();
    await sleep(300);

    await cluster.admin.topics.unload(topic);
    const moved = await waitForAssignment(topic, original.brokerId);
    expect(moved.brokerId).not.toBe(original.brokerId);
    expect(moved.dispatch).toBe(original.dispatch);

    const after = await producer(cluster, { topic, name: 'producer_topic_move_after_move', dispatch: 'reliable' });
    for (let i = 10; i < 18; i++) await after.send(blob);
    const c2 = await consumer(cluster, { topic, subscription, consumerName: 'consumer_topic_move_after_move', type: 'exclusive' });
    const rest = await take(c2, 13, { timeoutMs: 20_000 });
    expect(rest.map((m) => m.offset)).toEqual(Array.from({ length: 13 }, (_, i) => BigInt(i + 5)));
    for (const m of rest) expect(Buffer.from(m.payload).equals(blob)).toBe(true);
  });

  it('a message delivered but unacked before the move is delivered again first, then the rest in order', async () => {
    const topic = uniqueTopic('/default/reliable_move_pending');
    const subscription = `sub-${topic.replaceAll('/', '-')}`;
    const payloads = Array.from({ length: 15 }, (_, i) => `msg_${i}`);
    const p = await producer(cluster, { topic, name: 'producer_topic_move_pending', dispatch: 'reliable' });
    const name = 'consumer_topic_move_pending';
    const c = await consumer(cluster, { topic, subscription, consumerName: name, type: 'exclusive' });
    for (const body of payloads.slice(0, 10)) await p.send(body);
    const original = await waitForAssignment(topic);
    const first = await take(c, 3);
    expect(first.map((m) => m.offset)).toEqual([0n, 1n, 2n]);
    const pending = await next(c);
    expect(pending.offset).toBe(3n);
    expect(text(pending)).toBe('msg_3');
    await c.close();
    await p.close();
    await sleep(300);

    await cluster.admin.topics.unload(topic);
    const moved = await waitForAssignment(topic, original.brokerId);
    expect(moved.brokerId).not.toBe(original.brokerId);

    const after = await producer(cluster, { topic, name: 'producer_topic_move_pending_after_move', dispatch: 'reliable' });
    for (const body of payloads.slice(10)) await after.send(body);
    const c2 = await consumer(cluster, { topic, subscription, consumerName: name, type: 'exclusive' });
    const redelivered = await next(c2, 15_000);
    expect(redelivered.offset).toBe(3n);
    expect(text(redelivered)).toBe('msg_3');
    await c2.ack(redelivered);
    const rest = await take(c2, 11, { timeoutMs: 20_000 });
    expect(rest.map((m) => m.offset)).toEqual(Array.from({ length: 11 }, (_, i) => BigInt(i + 4)));
    expect(rest.map(text)).toEqual(payloads.slice(4));
  });

  it('a producer and a consumer left open across the unload follow the topic to its new broker', async () => {
    const topic = uniqueTopic('/default/reliable_move_live');
    const p = await producer(cluster, { topic, name: 'producer_move_live', dispatch: 'reliable' });
    const c = await consumer(cluster, { topic, subscription: 'sub_move_live', consumerName: 'consumer_move_live', type: 'exclusive' });
    for (let i = 0; i < 5; i++) await p.send(`before-${i}`);
    expect((await take(c, 5)).map(text)).toEqual(Array.from({ length: 5 }, (_, i) => `before-${i}`));
    const original = await waitForAssignment(topic);
    await cluster.admin.topics.unload(topic);
    await waitForAssignment(topic, original.brokerId);
    for (let i = 0; i < 5; i++) await p.send(`after-${i}`);
    expect((await take(c, 5, { timeoutMs: 20_000 })).map(text)).toEqual(Array.from({ length: 5 }, (_, i) => `after-${i}`));
  });
});
