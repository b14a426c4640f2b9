import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminUnavailableError, AdminUnsupportedError, DanubeAdmin, type AdminError } from '../../../src/admin/index.js';
import { startBroker, type Broker } from '../../../src/broker/index.js';

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as AdminError,
  );

describe('brokers, namespaces and cluster through the admin API', () => {
  let cluster: Broker;
  let admin: DanubeAdmin;
  beforeAll(async () => {
    cluster = await startBroker({ port: 0, brokers: 3 });
    admin = new DanubeAdmin({ adminUrl: cluster.adminUrls[2]! });
  });
  afterAll(async () => {
    admin.close();
    await cluster.close();
  });

  it('lists every broker with its URLs, role and state; the leader is the first', async () => {
    const brokers = await admin.brokers.list();
    expect(brokers.map((b) => b.url)).toEqual(cluster.urls);
    expect(brokers.map((b) => b.adminUrl)).toEqual(cluster.adminUrls);
    expect(brokers.map((b) => b.role)).toEqual(['Cluster_Leader', 'Cluster_Follower', 'Cluster_Follower']);
    expect(brokers.every((b) => b.status === 'active' && /^\d+$/.test(b.id))).toBe(true);
    expect(await admin.brokers.leader()).toBe(brokers[0]!.id);
  });

  it('namespaces: create (empty policies), list, policies, refuse duplicates and non-empty deletes', async () => {
    await admin.namespaces.create('billing');
    expect(await admin.namespaces.list()).toEqual(['billing', 'default']);
    expect(await admin.namespaces.policies('default')).toMatchObject({ max_message_size: 10 * 1024 * 1024 });
    expect(await admin.namespaces.policies('billing')).toEqual({
      max_producers_per_topic: 0,
      max_subscriptions_per_topic: 0,
      max_consumers_per_topic: 0,
      max_consumers_per_subscription: 0,
      max_publish_rate: 0,
      max_subscription_dispatch_rate: 0,
      max_message_size: 0,
    });
    expect((await failure(admin.namespaces.create('billing')))?.message).toContain(
      'Unable to create the namespace billing due to Namespace billing already exists.',
    );
    await admin.topics.create('/billing/invoices');
    expect((await failure(admin.namespaces.delete('billing')))?.message).toContain(
      "Unable to delete the namespace billing due to Can't delete and non empty namespace: billing",
    );
    await admin.topics.delete('/billing/invoices');
    await admin.namespaces.delete('billing');
    expect((await failure(admin.namespaces.delete('billing')))?.message).toContain('Namespace billing does not exists.');
    expect((await failure(admin.namespaces.policies('nope')))?.code).toBe(status.NOT_FOUND);
  });

  it('unloading a broker moves its topics away and keeps new topics off it until it is activated', async () => {
    const [b0, b1] = await admin.brokers.list();
    for (let i = 0; i < 6; i++) await admin.topics.create(`/default/spread-${i}`);
    const on = async (id: string) => (await admin.topics.listOnBroker(id)).map((t) => t.name);
    const mine = await on(b1!.id);
    expect(mine.length).toBeGreaterThan(0);
    expect(await admin.brokers.unload(b1!.id, { dryRun: true })).toMatchObject({ started: false, total: mine.length, pending: mine.length });
    expect(await admin.brokers.unload(b1!.id)).toMatchObject({ started: true, total: mine.length, succeeded: mine.length, failed: 0 });
    expect(await on(b1!.id)).toEqual([]);
    expect((await admin.brokers.list())[1]!.status).toBe('draining');
    for (let i = 0; i < 4; i++) await admin.topics.create(`/default/after-unload-${i}`);
    expect(await on(b1!.id)).toEqual([]);
    await admin.brokers.activate(b1!.id);
    expect((await admin.brokers.list())[1]!.status).toBe('active');
    expect((await failure(admin.brokers.unload('')))?.message).toContain('broker_id must be provided to unload a broker');
    expect(await on(b0!.id)).not.toEqual([]);
  });

  it('cluster balance counts topics per broker; rebalancing and Raft membership are not there', async () => {
    const balance = await admin.brokers.balance();
    expect(balance.brokers).toHaveLength(3);
    expect(balance.brokers.reduce((n, b) => n + b.topicCount, 0)).toBeGreaterThan(0);
    const raft = await admin.brokers.clusterStatus();
    expect(raft.voters.map(String)).toEqual((await admin.brokers.list()).map((b) => b.id));
  });
});

describe('a standalone broker and an unreachable one', () => {
  it('answers cluster-only RPCs with UNIMPLEMENTED, as the real standalone mode', async () => {
    const broker = await startBroker({ port: 0 });
    const admin = new DanubeAdmin({ adminUrl: broker.adminUrl });
    try {
      expect(await failure(admin.brokers.balance())).toBeInstanceOf(AdminUnsupportedError);
      expect((await failure(admin.brokers.clusterStatus()))?.message).toContain('cluster operations not available in standalone/edge mode');
      expect((await failure(admin.brokers.unload(await admin.brokers.leader())))?.message).toContain('Cannot unload broker: single broker cluster detected.');
    } finally {
      admin.close();
      await broker.close();
    }
  });

  it('names the URL it cannot reach', async () => {
    const admin = new DanubeAdmin({ adminUrl: 'http://127.0.0.1:9', timeoutMs: 2_000 });
    const err = await failure(admin.topics.list('default'));
    admin.close();
    expect(err).toBeInstanceOf(AdminUnavailableError);
    expect(err?.message).toContain('cannot reach the Danube admin API at http://127.0.0.1:9');
  });
});
