import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FAILURE_POLICY, DanubeAdmin, type AdminError } from '../../../src/admin/index.js';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';

let broker: Broker;
let admin: DanubeAdmin;
let client: DanubeClient;
beforeAll(async () => {
  broker = await startBroker({ port: 0 });
  admin = new DanubeAdmin({ adminUrl: broker.adminUrl });
  client = new DanubeClient({ serviceUrl: broker.url, connectTimeoutMs: 3_000, healthCheckIntervalMs: 200 });
});
afterAll(async () => {
  admin.close();
  await client.close();
  await broker.close();
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as AdminError,
  );

describe('subscriptions through the admin API', () => {
  it('lists subscriptions; Unsubscribe is refused while a consumer is attached, then deletes it', async () => {
    await admin.topics.create('/default/subs', { dispatch: 'reliable' });
    const c = await client.subscribe({ topic: '/default/subs', subscription: 'audit', consumerName: 'auditor' });
    expect(await admin.subscriptions.list('/default/subs')).toEqual(['audit']);
    const busy = await failure(admin.subscriptions.unsubscribe('/default/subs', 'audit'));
    expect(busy?.code).toBe(status.NOT_FOUND);
    expect(busy?.message).toContain(
      'Unable to unsubscribe the subscription audit due to error: Unable to unsubscribe as the subscription audit has active consumers',
    );
    await c.close();
    await new Promise((r) => setTimeout(r, 100));
    await admin.subscriptions.unsubscribe('/default/subs', 'audit');
    expect(await admin.subscriptions.list('/default/subs')).toEqual([]);
  });

  it('a failure policy is stored before the subscription exists, read back whole, and applies to it', async () => {
    await admin.topics.create('/default/policy', { dispatch: 'reliable' });
    expect(await admin.subscriptions.getFailurePolicy('/default/policy', 'late')).toBeUndefined();
    const set = await admin.subscriptions.setFailurePolicy('/default/policy', 'late', { ackTimeoutMs: 300, backoff: 'fixed', baseRedeliveryDelayMs: 0 });
    expect(set).toEqual({ ...DEFAULT_FAILURE_POLICY, ackTimeoutMs: 300, backoff: 'fixed', baseRedeliveryDelayMs: 0 });
    expect(await admin.subscriptions.getFailurePolicy('/default/policy', 'late')).toEqual({ policy: set, type: 'exclusive' });
    const p = await client.createProducer({ topic: '/default/policy', name: 'p', dispatch: 'reliable' });
    const c = await client.subscribe({ topic: '/default/policy', subscription: 'late', type: 'shared' });
    await p.send('x');
    const first = await c.receive({ timeoutMs: 3_000 });
    // Not acked: the 300 ms ack timeout brings it back.
    const again = await c.receive({ timeoutMs: 3_000 });
    expect(again?.offset).toBe(first?.offset);
    expect((await admin.subscriptions.getFailurePolicy('/default/policy', 'late'))?.type).toBe('shared');
  });

  it('answers the real errors for a failure policy: non-reliable topic, dead letter without topic', async () => {
    await admin.topics.create('/default/fast');
    const nonReliable = await failure(admin.subscriptions.setFailurePolicy('/default/fast', 's', {}));
    expect(nonReliable).toMatchObject({ code: status.FAILED_PRECONDITION });
    expect(nonReliable?.message).toContain('subscription failure policy can only be configured for reliable topics');
    await admin.topics.create('/default/dl', { dispatch: 'reliable' });
    const noDlq = await failure(admin.subscriptions.setFailurePolicy('/default/dl', 's', { poisonPolicy: 'dead-letter' }));
    expect(noDlq).toMatchObject({ code: status.INVALID_ARGUMENT });
    expect(noDlq?.message).toContain('dead_letter_topic must be configured when poison_policy is DeadLetter');
  });

  it('the unacked window: set, read back, bounded 1-10000, and enforced on a live subscription', async () => {
    await admin.topics.create('/default/window', { dispatch: 'reliable' });
    expect(await admin.subscriptions.getMaxUnacked('/default/window', 'w')).toBeUndefined();
    const p = await client.createProducer({ topic: '/default/window', name: 'p', dispatch: 'reliable' });
    const c = await client.subscribe({ topic: '/default/window', subscription: 'w' });
    await admin.subscriptions.setMaxUnacked('/default/window', 'w', 2);
    expect(await admin.subscriptions.getMaxUnacked('/default/window', 'w')).toBe(2);
    for (let i = 0; i < 5; i++) await p.send(`m${i}`);
    const got = [await c.receive({ timeoutMs: 2_000 }), await c.receive({ timeoutMs: 2_000 })];
    expect(await c.receive({ timeoutMs: 300 })).toBeUndefined();
    await c.ack(got[0]!);
    expect(await c.receive({ timeoutMs: 2_000 })).toBeDefined();
    for (const bad of [0, 10_001]) {
      const err = await failure(admin.subscriptions.setMaxUnacked('/default/window', 'w', bad));
      expect(err).toMatchObject({ code: status.INVALID_ARGUMENT });
      expect(err?.message).toContain('max_unacked_messages must be between 1 and 10000');
    }
  });
});
