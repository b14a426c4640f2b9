// Scenarios of reliable_dispatch_failure_handling.rs: topics created and failure policies set
// through the admin API before anyone subscribes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailurePolicy } from '../../../../src/admin/index.js';
import type { SubscriptionType } from '../../../../src/client/index.js';
import { consumer, fixedPolicy, next, producer, silent, sleep, startCluster, text, uniqueTopic, type Cluster } from './helpers.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.close());

/** Creates the reliable topic and sets the policy, checking that the broker stored it as given. */
async function prepare(topic: string, subscription: string, policy: FailurePolicy): Promise<void> {
  await cluster.admin.topics.create(topic, { dispatch: 'reliable' });
  await cluster.admin.subscriptions.setFailurePolicy(topic, subscription, policy);
  expect((await cluster.admin.subscriptions.getFailurePolicy(topic, subscription))?.policy).toEqual(policy);
}

async function scenario(name: string, type: SubscriptionType, policy: FailurePolicy, topic = uniqueTopic(`/default/reliable_failure_${name}`)) {
  const subscription = `sub_failure_${name}`;
  await prepare(topic, subscription, policy);
  const p = await producer(cluster, { topic, name: `producer_failure_${name}`, dispatch: 'reliable' });
  const c = await consumer(cluster, { topic, subscription, consumerName: `consumer_failure_${name}`, type });
  await sleep(200);
  return { topic, subscription, p, c };
}

describe('reliable_dispatch_failure_handling', () => {
  it.each<SubscriptionType>(['exclusive', 'shared'])('%s: a nacked message is delivered again, same payload and offset', async (type) => {
    const { p, c } = await scenario(`nack_${type}`, type, fixedPolicy(2, 5_000, 'block'));
    await p.send(`nack-${type}`);
    const first = await next(c);
    await c.nack(first, { delayMs: 0, reason: 'retry please' });
    const again = await next(c);
    expect(text(again)).toBe(text(first));
    expect(again.offset).toBe(first.offset);
    await c.ack(again);
  });

  it('an unacked message is delivered again once the ack timeout passes', async () => {
    const { p, c } = await scenario('ack_timeout', 'exclusive', fixedPolicy(2, 200, 'block'));
    await p.send('ack-timeout');
    const first = await next(c);
    const again = await next(c, 10_000);
    expect(text(again)).toBe('ack-timeout');
    expect(again.offset).toBe(first.offset);
    await c.ack(again);
  });

  it('Block: once redeliveries are used up, nothing newer is delivered', async () => {
    const { p, c } = await scenario('block', 'exclusive', fixedPolicy(0, 5_000, 'block'));
    await p.send('blocked-msg');
    await c.nack(await next(c), { delayMs: 0, reason: 'block it' });
    await p.send('after-block');
    expect(await silent(c, 2_000)).toBe(true);
  });

  it('Drop: the exhausted message is skipped and the next one is delivered', async () => {
    const { p, c } = await scenario('drop', 'exclusive', fixedPolicy(0, 5_000, 'drop'));
    await p.send('drop-me');
    await c.nack(await next(c), { delayMs: 0, reason: 'drop it' });
    await sleep(200);
    await p.send('after-drop');
    const m = await next(c);
    expect(text(m)).toBe('after-drop');
    await c.ack(m);
  });

  it('DeadLetter: the exhausted message is republished to the dead-letter topic with its origin, and the subscription moves on', async () => {
    const topic = uniqueTopic('/default/reliable_failure_deadletter');
    const dlq = `${topic}-dlq`;
    await cluster.admin.topics.create(dlq, { dispatch: 'reliable' });
    const { subscription, p, c } = await scenario('deadletter', 'exclusive', fixedPolicy(0, 5_000, 'dead-letter', dlq), topic);
    const dlqReader = await consumer(cluster, {
      topic: dlq,
      subscription: 'sub_failure_deadletter_dlq',
      consumerName: 'consumer_failure_deadletter_dlq',
      type: 'exclusive',
    });
    await p.send('to-dlq');
    await c.nack(await next(c), { delayMs: 0, reason: 'dead-letter it' });
    const dead = await next(dlqReader);
    expect(text(dead)).toBe('to-dlq');
    expect(dead.msgId.topicName).toBe(dlq);
    expect(dead.attributes).toMatchObject({
      'x-original-topic': topic,
      'x-original-subscription': subscription,
      'x-poison-policy': 'dead_letter',
      'x-failure-reason': 'dead-letter it',
    });
    await sleep(200);
    await p.send('after-dlq');
    const m = await next(c);
    expect(text(m)).toBe('after-dlq');
    await c.ack(m);
  });
});
