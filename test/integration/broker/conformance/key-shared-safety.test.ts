// Scenarios of key_shared_safety.rs: poison policies and inactive consumer eviction on
// reliable Key-Shared subscriptions (the eviction one is ignored upstream for multi-broker
// clusters; it runs here on one broker, where the real broker passes it too).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailurePolicy } from '../../../../src/admin/index.js';
import type { Consumer } from '../../../../src/client/index.js';
import { Collector, consumer, fixedPolicy, next, producer, silent, sleep, startCluster, text, uniqueTopic, type Cluster } from './helpers.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.close());

async function keyShared(name: string, policy?: FailurePolicy, topic = uniqueTopic(`/default/ks_safety_${name}`)) {
  const subscription = `sub_ks_safety_${name}`;
  await cluster.admin.topics.create(topic, { dispatch: 'reliable' });
  // Set before anyone subscribes, as the real tests do (its dispatcher reads the policy once).
  if (policy) await cluster.admin.subscriptions.setFailurePolicy(topic, subscription, policy);
  const c = await consumer(cluster, { topic, subscription, consumerName: `consumer_ks_${name}`, type: 'key-shared' });
  await sleep(200);
  const p = await producer(cluster, { topic, name: `producer_ks_${name}`, dispatch: 'reliable' });
  return { topic, subscription, c, p };
}

describe('key_shared_safety', () => {
  it('Drop: the exhausted message is dropped and its key delivers again', async () => {
    const { c, p } = await keyShared('drop', fixedPolicy(0, 5_000, 'drop'));
    await p.send('drop-me', { key: 'order' });
    const first = await next(c);
    expect(text(first)).toBe('drop-me');
    await c.nack(first, { delayMs: 0, reason: 'drop it' });
    await sleep(500);
    await p.send('after-drop', { key: 'order' });
    const again = await next(c);
    expect(text(again)).toBe('after-drop');
    await c.ack(again);
  });

  it('Block: only the exhausted key stalls; other keys keep flowing', async () => {
    const { c, p } = await keyShared('block', fixedPolicy(0, 5_000, 'block'));
    await p.send('block-me', { key: 'blocked-key' });
    await c.nack(await next(c), { delayMs: 0, reason: 'block it' });
    await sleep(500);
    await p.send('other-key-msg', { key: 'healthy-key' });
    const other = await next(c);
    expect(text(other)).toBe('other-key-msg');
    await c.ack(other);
    await p.send('still-blocked', { key: 'blocked-key' });
    expect(await silent(c, 2_000)).toBe(true);
  });

  it('DeadLetter: the exhausted message goes to the dead-letter topic and its key is freed', async () => {
    const topic = uniqueTopic('/default/ks_safety_dlq');
    const dlq = `${topic}-dlq`;
    await cluster.admin.topics.create(dlq, { dispatch: 'reliable' });
    const { c, p } = await keyShared('dlq', fixedPolicy(0, 5_000, 'dead-letter', dlq), topic);
    const reader = await consumer(cluster, { topic: dlq, subscription: 'sub_ks_dlq_reader', consumerName: 'consumer_ks_dlq_reader', type: 'exclusive' });
    await p.send('to-dlq', { key: 'dlq-key' });
    await c.nack(await next(c), { delayMs: 0, reason: 'dead-letter it' });
    const dead = await next(reader);
    expect(text(dead)).toBe('to-dlq');
    expect(dead.msgId.topicName).toBe(dlq);
    expect(dead.attributes).toMatchObject({ 'x-original-topic': topic, 'x-poison-policy': 'dead_letter' });
    await sleep(200);
    await p.send('after-dlq', { key: 'dlq-key' });
    const again = await next(c);
    expect(text(again)).toBe('after-dlq');
    await c.ack(again);
  });

  it('a nacked message is delivered again to the same consumer, same offset', async () => {
    const { c, p } = await keyShared('nack_redeliver', fixedPolicy(2, 5_000, 'block'));
    await p.send('nack-me', { key: 'nack-key' });
    const first = await next(c);
    await c.nack(first, { delayMs: 0, reason: 'retry please' });
    const again = await next(c, 10_000);
    expect(text(again)).toBe('nack-me');
    expect(again.offset).toBe(first.offset);
    await c.ack(again);
  });
});

describe('key_shared_safety: inactive consumer eviction', () => {
  const keys = Array.from({ length: 16 }, (_, i) => `key-${i}`);

  /** Two consumers A and B; probes every key once to learn which keys B owns. */
  async function twoConsumers(name: string) {
    const topic = uniqueTopic(`/default/ks_safety_${name}`);
    const subscription = `sub_ks_safety_${name}`;
    await cluster.admin.topics.create(topic, { dispatch: 'reliable' });
    const open = (who: string) => consumer(cluster, { topic, subscription, consumerName: `consumer_${name}_${who}`, type: 'key-shared' }, cluster.newClient());
    const a = await open('a');
    const b = await open('b');
    await sleep(300);
    const p = await producer(cluster, { topic, name: `producer_${name}`, dispatch: 'reliable' });
    const probe = new Collector({ a, b });
    for (const [i, key] of keys.entries()) {
      await p.send(`pre-${key}`, { key });
      await probe.waitFor(i + 1);
    }
    await probe.stop();
    const bKeys = probe.got.filter((g) => g.consumer === 'b').map((g) => g.message.routingKey!);
    expect(bKeys.length).toBeGreaterThan(0);
    return { topic, subscription, a, b, p, bKeys, open };
  }

  const expectOnA = async (a: Consumer, payload: string, timeoutMs = 10_000) => {
    const m = await next(a, timeoutMs);
    expect(text(m)).toBe(payload);
    await a.ack(m);
  };

  it('a consumer gone for the grace period (6 ticks of 500 ms) is evicted and its keys go to the survivor', async () => {
    const { a, b, p, bKeys } = await twoConsumers('evict');
    await b.close();
    await sleep(4_000);
    for (const key of bKeys) {
      await p.send(`post-${key}`, { key });
      await expectOnA(a, `post-${key}`);
    }
  });

  it('within the grace period its keys wait for it; after eviction they go on, unacked ones included', async () => {
    const { a, b, p, bKeys } = await twoConsumers('evict_held');
    const key = bKeys[0]!;
    await p.send('held', { key });
    expect(text(await next(b))).toBe('held'); // delivered, never acked
    await b.close();
    await p.send('queued', { key });
    // Its keys stay with it for a while, in case it comes back...
    expect(await silent(a, 1_500)).toBe(true);
    // ...then the ring is rebuilt, and the message it held is delivered again, before the next of its key.
    await expectOnA(a, 'held', 5_000);
    await expectOnA(a, 'queued');
  });

  it('an evicted consumer that subscribes again by name joins the ring again', async () => {
    const { a, b, p, open } = await twoConsumers('evict_return');
    await b.close();
    await sleep(4_000);
    const back = await open('b');
    await sleep(300);
    // A new member of the ring (new id, so new positions): keys are shared by both again.
    const reading = new Collector({ a, back });
    for (const key of keys) await p.send(`again-${key}`, { key });
    await reading.waitFor(keys.length);
    await reading.stop();
    expect(reading.count('back')).toBeGreaterThan(0);
    expect(reading.count('a')).toBeGreaterThan(0);
  });
});
