import { credentials, Metadata, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminError, AdminUnsupportedError, DanubeAdmin } from '../../../src/admin/index.js';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { TopicAdminClient } from '../../../src/generated/danube/DanubeAdmin.js';

let broker: Broker;
let admin: DanubeAdmin;
let client: DanubeClient;
beforeAll(async () => {
  broker = await startBroker({ port: 0, namespaces: ['default', 'orders'] });
  admin = new DanubeAdmin({ adminUrl: broker.adminUrl });
  client = new DanubeClient({ serviceUrl: broker.url, connectTimeoutMs: 3_000 });
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
const wrapped = (name: string, code: string, message: string) =>
  `Unable to create the topic ${name} due to status: ${code}, message: ${JSON.stringify(message)}, details: [], metadata: MetadataMap { headers: {} }`;

describe('TopicAdmin on the embedded broker', () => {
  it('serves on its own port, apart from the client port', () => {
    expect(broker.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(broker.adminUrl).not.toBe(broker.url);
  });

  it('creates plain and partitioned topics with their dispatch strategy, listed with their broker', async () => {
    await admin.topics.create('/orders/plain', { dispatch: 'reliable' });
    await admin.topics.create('/orders/parted', { partitions: 3 });
    const [id] = (await admin.brokers.list()).map((b) => b.id);
    expect(await admin.topics.list('orders')).toEqual([
      { name: '/orders/parted-part-0', brokerId: id, dispatch: 'non-reliable' },
      { name: '/orders/parted-part-1', brokerId: id, dispatch: 'non-reliable' },
      { name: '/orders/parted-part-2', brokerId: id, dispatch: 'non-reliable' },
      { name: '/orders/plain', brokerId: id, dispatch: 'reliable' },
    ]);
    expect((await admin.topics.listOnBroker(id!)).map((t) => t.name)).toContain('/orders/plain');
    expect(await admin.namespaces.topics('orders')).toContain('orders/plain');
    // A producer of the wrong strategy is refused: the topic exists before anyone produced.
    await expect(client.createProducer({ topic: '/orders/plain', name: 'p', dispatch: 'non-reliable' })).rejects.toThrow(/dispatch strategy does not match/);
  });

  it('answers creation failures as the real admin API: NOT_FOUND wrapping the inner status', async () => {
    await admin.topics.create('/default/dup');
    const dup = await failure(admin.topics.create('/default/dup'));
    expect(dup?.code).toBe(status.NOT_FOUND);
    expect(dup?.message).toContain(wrapped('/default/dup', 'AlreadyExists', "Topic '/default/dup' already exists"));
    const badName = await failure(admin.topics.create('/default/bad.name'));
    expect(badName?.message).toContain(
      wrapped('/default/bad.name', 'InvalidArgument', 'The topic: /default/bad.name has an invalid format, should be: /namespace_name/topic_name'),
    );
    const noNs = await failure(admin.topics.create('/nowhere/t'));
    expect(noNs?.message).toContain(
      'status: Unavailable, message: "Unable to find the namespace nowhere, the topic can be created only for an exisiting namespace"',
    );
    await admin.topics.create('/default/conflict', { partitions: 2 });
    expect((await failure(admin.topics.create('/default/conflict')))?.message).toContain(
      'partitioned topics with this base name already exist (found 2 partitions)',
    );
  });

  it('refuses a dispatch strategy outside the enum with INVALID_ARGUMENT', async () => {
    const raw = new TopicAdminClient(broker.adminUrl.replace('http://', ''), credentials.createInsecure());
    const err = await new Promise<{ code: number; details: string }>((resolve) =>
      raw.createTopic({ name: '/default/enum', dispatchStrategy: 7 as never }, new Metadata(), (e) => resolve(e as never)),
    );
    raw.close();
    expect(err).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'invalid dispatch_strategy value' });
  });

  it('describes a topic with its subscriptions and schema; an unknown topic is described as empty', async () => {
    const { schemaId } = await client.schemaRegistry.register({ subject: 'orders-v', type: 'json_schema', definition: { type: 'object' } });
    await admin.topics.create('/default/described', { dispatch: 'reliable', schemaSubject: 'orders-v' });
    await client.subscribe({ topic: '/default/described', subscription: 'audit' });
    const d = await admin.topics.describe('/default/described');
    expect(d).toMatchObject({
      name: '/default/described',
      dispatch: 'reliable',
      subscriptions: ['audit'],
      schemaSubject: 'orders-v',
      schemaId,
      schemaVersion: 1,
      schemaType: 'json_schema',
    });
    expect(d.brokerId).toBe(await admin.brokers.leader());
    expect(await admin.topics.describe('/default/never')).toEqual({ name: '/default/never', brokerId: '', dispatch: 'non-reliable', subscriptions: [] });
  });

  it('deletes a topic (a partitioned one by its base name), refusing single partitions and unknown topics', async () => {
    await admin.topics.create('/default/gone', { partitions: 2 });
    const part = await failure(admin.topics.delete('/default/gone-part-0'));
    expect(part?.message).toContain("Unable to delete the topic /default/gone-part-0 due to Cannot delete individual partition '/default/gone-part-0'");
    await admin.topics.delete('/default/gone');
    expect((await admin.topics.list('default')).map((t) => t.name)).not.toContain('/default/gone-part-0');
    expect((await failure(admin.topics.delete('/default/gone')))?.message).toContain(
      'Unable to delete the topic /default/gone due to Unable to find topic: /default/gone',
    );
  });

  it('a standalone broker does not unload topics (UNIMPLEMENTED, as the real standalone mode)', async () => {
    await admin.topics.create('/default/stay');
    const err = await failure(admin.topics.unload('/default/stay'));
    expect(err).toBeInstanceOf(AdminUnsupportedError);
    expect(err?.message).toContain('topic unload not available in standalone/edge mode');
  });
});

describe('TopicAdmin on an embedded cluster', () => {
  it('an unload moves the topic to another broker; an unknown topic is NOT_FOUND', async () => {
    const cluster = await startBroker({ port: 0, brokers: 2 });
    const a = new DanubeAdmin({ adminUrl: cluster.adminUrls[1]! });
    try {
      await a.topics.create('/default/mover', { dispatch: 'reliable' });
      const before = (await a.topics.describe('/default/mover')).brokerId;
      await a.topics.unload('/default/mover');
      const after = (await a.topics.describe('/default/mover')).brokerId;
      expect(after).not.toBe(before);
      expect((await a.brokers.list()).map((b) => b.id)).toContain(after);
      expect((await failure(a.topics.unload('/default/none')))?.message).toContain('Unable to unload the topic /default/none due to Unable to find topic');
    } finally {
      a.close();
      await cluster.close();
    }
  });
});
