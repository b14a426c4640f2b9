import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminAuthError, DanubeAdmin, type AdminError } from '../../../src/admin/index.js';
import { signBrokerToken, startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient, PermissionDeniedError } from '../../../src/client/index.js';

const SECRET = 'rbac-secret';
const token = (name: string, principalType = 'service_account') => signBrokerToken(SECRET, { sub: name, principalType, principalName: name });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as AdminError,
  );

let broker: Broker;
let root: DanubeAdmin;
const clients: DanubeClient[] = [];
const client = (name: string, principalType?: string) => {
  const c = new DanubeClient({ serviceUrl: broker.url, token: token(name, principalType), connectTimeoutMs: 3_000, retry: { maxRetries: 1 } });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  broker = await startBroker({ port: 0, namespaces: ['default', 'shop'], auth: { jwtSecret: SECRET, superAdmins: ['root'] } });
  root = new DanubeAdmin({ adminUrl: broker.adminUrl, token: token('root', 'user') });
  await root.security.createRole({ name: 'writer', permissions: ['Lookup', 'Produce'] });
  await root.security.createRole({ name: 'reader', permissions: ['Lookup', 'Consume'] });
  await root.security.createRole({ name: 'topic-admin', permissions: ['ManageTopic'] });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  root.close();
  await broker.close();
});

describe('RBAC on the data plane', () => {
  it('default deny: an authenticated principal without bindings may not even look a topic up', async () => {
    const err = await client('nobody')
      .createProducer({ topic: '/default/t', name: 'p' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect((err as Error).message).toContain('no binding grants Lookup on Topic("/default/t") for service_account:nobody');
  });

  it('a topic-scoped binding grants that topic only', async () => {
    await root.security.createBinding({
      id: 'w-one',
      principalType: 'service_account',
      principalName: 'w-topic',
      roleNames: ['writer'],
      scope: 'topic',
      resourceName: '/default/one',
    });
    const c = client('w-topic');
    const p = await c.createProducer({ topic: '/default/one', name: 'p' });
    await p.send('ok');
    await expect(c.createProducer({ topic: '/default/two', name: 'p' })).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it('a namespace-scoped binding grants every topic of the namespace', async () => {
    await root.security.createBinding({
      id: 'w-shop',
      principalType: 'service_account',
      principalName: 'w-ns',
      roleNames: ['writer'],
      scope: 'namespace',
      resourceName: 'shop',
    });
    const c = client('w-ns');
    await (await c.createProducer({ topic: '/shop/a', name: 'p' })).send('a');
    await (await c.createProducer({ topic: '/shop/b', name: 'p' })).send('b');
    await expect(c.createProducer({ topic: '/default/a', name: 'p' })).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it('the principal type counts: a user binding does not cover a service account of the same name', async () => {
    await root.security.createBinding({ id: 'typed', principalType: 'user', principalName: 'twin', roleNames: ['writer'], scope: 'cluster' });
    await (await client('twin', 'user').createProducer({ topic: '/default/typed', name: 'p' })).send('x');
    await expect(client('twin', 'service_account').createProducer({ topic: '/default/typed', name: 'p2' })).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it('receiving needs Consume at cluster scope; with it, messages flow', async () => {
    await root.security.createBinding({ id: 'r-all', principalType: 'service_account', principalName: 'reader-app', roleNames: ['reader'], scope: 'cluster' });
    await root.security.createBinding({ id: 'w-all', principalType: 'service_account', principalName: 'writer-app', roleNames: ['writer'], scope: 'cluster' });
    const c = await client('reader-app')
      .subscribe({ topic: '/default/flow', subscription: 's' })
      .catch(() => undefined);
    expect(c).toBeUndefined(); // no such topic yet: Subscribe never creates one
    const p = await client('writer-app').createProducer({ topic: '/default/flow', name: 'p', dispatch: 'reliable' });
    const consumer = await client('reader-app').subscribe({ topic: '/default/flow', subscription: 's' });
    await p.send('hello');
    const m = await consumer.receive({ timeoutMs: 3_000 });
    expect(Buffer.from(m!.payload).toString()).toBe('hello');
    await consumer.ack(m!);
  });

  it('a broker_internal principal and a super admin bypass RBAC', async () => {
    await (await client('replicator', 'broker_internal').createProducer({ topic: '/default/internal', name: 'p' })).send('x');
    await (await client('root', 'user').createProducer({ topic: '/default/root', name: 'p' })).send('x');
  });

  it('a deleted binding stops granting at once', async () => {
    await root.security.createBinding({ id: 'temp', principalType: 'service_account', principalName: 'temp-app', roleNames: ['writer'], scope: 'cluster' });
    const c = client('temp-app');
    await c.createProducer({ topic: '/default/temp', name: 'p' });
    await root.security.deleteBinding('cluster', '', 'temp');
    await expect(client('temp-app').createProducer({ topic: '/default/temp', name: 'p2' })).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});

describe('RBAC on the admin API', () => {
  it('admin RPCs need their Manage permission; SecurityAdmin needs ManageCluster', async () => {
    const admin = new DanubeAdmin({ adminUrl: broker.adminUrl, token: token('ops') });
    try {
      const denied = await failure(admin.topics.create('/default/ops'));
      expect(denied).toBeInstanceOf(AdminAuthError);
      expect(denied?.message).toContain('no binding grants ManageTopic on Topic("/default/ops") for service_account:ops');
      await root.security.createBinding({
        id: 'ops',
        principalType: 'service_account',
        principalName: 'ops',
        roleNames: ['topic-admin'],
        scope: 'namespace',
        resourceName: 'default',
      });
      await admin.topics.create('/default/ops');
      expect((await failure(admin.security.listRoles()))?.message).toContain('no binding grants ManageCluster on Cluster for service_account:ops');
    } finally {
      admin.close();
    }
  });

  it('answers UNAUTHENTICATED without a token', async () => {
    const anon = new DanubeAdmin({ adminUrl: broker.adminUrl });
    const err = await failure(anon.brokers.list());
    anon.close();
    expect(err?.code).toBe(status.UNAUTHENTICATED);
    expect(err?.message).toContain('Authentication credentials are missing');
  });

  it('roles and bindings: the real validation messages', async () => {
    expect((await failure(root.security.createRole({ name: 'bad', permissions: ['Fly' as never] })))?.message).toContain('unknown permission: Fly');
    expect((await failure(root.security.createRole({ name: '', permissions: [] })))?.message).toContain('role name is required');
    expect((await failure(root.security.getRole('ghost')))?.message).toContain("role 'ghost' not found");
    await root.security.createRole({ name: 'builtin', permissions: ['Lookup'], system: true });
    expect(await failure(root.security.deleteRole('builtin'))).toMatchObject({ code: status.FAILED_PRECONDITION });
    const binding = { id: 'b', principalType: 'user', principalName: 'u', roleNames: ['reader'], scope: 'cluster' as const };
    expect((await failure(root.security.createBinding({ ...binding, scope: 'galaxy' as never })))?.message).toContain(
      'invalid scope: galaxy (expected cluster, namespace, or topic)',
    );
    expect((await failure(root.security.createBinding({ ...binding, roleNames: [] })))?.message).toContain('at least one role_name is required');
    expect((await failure(root.security.createBinding({ ...binding, id: '' })))?.message).toContain('binding id is required');
    expect((await failure(root.security.getBinding('cluster', '', 'missing')))?.message).toContain("binding 'missing' not found");
  });
});

describe('RBAC state', () => {
  it('roles and bindings survive a restart, and with a data directory a new process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rbac-'));
    try {
      const options = { port: 0, dataDir: dir, auth: { jwtSecret: SECRET, superAdmins: ['root'] } };
      let b = await startBroker(options);
      let a = new DanubeAdmin({ adminUrl: b.adminUrl, token: token('root', 'user') });
      await a.security.createRole({ name: 'kept', permissions: ['Produce'] });
      await a.security.createBinding({
        id: 'kept',
        principalType: 'user',
        principalName: 'u',
        roleNames: ['kept'],
        scope: 'topic',
        resourceName: '/default/k',
      });
      await b.restart();
      expect((await a.security.listRoles()).map((r) => r.name)).toEqual(['kept']);
      a.close();
      await b.close();
      b = await startBroker(options);
      a = new DanubeAdmin({ adminUrl: b.adminUrl, token: token('root', 'user') });
      expect(await a.security.listBindings()).toEqual([
        { id: 'kept', principalType: 'user', principalName: 'u', roleNames: ['kept'], scope: 'topic', resourceName: '/default/k' },
      ]);
      a.close();
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is off without authentication, as the real broker in auth mode none', async () => {
    const open = await startBroker({ port: 0 });
    const c = new DanubeClient({ serviceUrl: open.url });
    try {
      await (await c.createProducer({ topic: '/default/open', name: 'p' })).send('x');
    } finally {
      await c.close();
      await open.close();
    }
  });
});
