// Scenarios of security_e2e.rs (ignored upstream: they need the secure workflow, which is
// replayed here): a broker with TLS, JWT and RBAC; a super admin creates the roles, the topic
// and the bindings through the admin API; then an authorized and an unprivileged principal.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBrokerToken } from '../../../../src/broker/index.js';
import { PermissionDeniedError } from '../../../../src/client/index.js';
import { producer, sleep, startCluster, type Cluster } from './helpers.js';

const fixture = (name: string) => readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'client', 'fixtures', name), 'utf8');
const SECRET = 'your-secret-key';
const TOPIC = '/default/security-test';

let cluster: Cluster;
const token = (subject: string, principalType: string) => signBrokerToken(SECRET, { sub: subject, principalType, principalName: subject });
const authorized = token('test-app', 'service_account');
const denied = token('unprivileged-app', 'service_account');
const tls = () => ({ tls: { ca: fixture('ca.pem') } });

beforeAll(async () => {
  cluster = await startCluster(
    { tls: { cert: fixture('server.pem'), key: fixture('server.key') }, auth: { jwtSecret: SECRET, superAdmins: ['admin'] } },
    { token: token('admin', 'user'), ...tls() },
  );
  // The bootstrap the secure workflow runs with danube-admin, as the super admin.
  const admin = cluster.admin;
  await admin.security.createRole({ name: 'producer-role', permissions: ['Produce', 'Lookup'] });
  await admin.security.createRole({ name: 'consumer-role', permissions: ['Consume', 'Lookup'] });
  expect((await admin.security.listRoles()).map((r) => r.name)).toEqual(['consumer-role', 'producer-role']);
  await admin.topics.create(TOPIC);
  for (const [id, role] of [
    ['test-app-produce', 'producer-role'],
    ['test-app-consume', 'consumer-role'],
  ] as const) {
    await admin.security.createBinding({
      id,
      principalType: 'service_account',
      principalName: 'test-app',
      roleNames: [role],
      scope: 'topic',
      resourceName: TOPIC,
    });
  }
  expect(await admin.security.listBindings('topic', TOPIC)).toHaveLength(2);
});
afterAll(() => cluster.close());

describe('security_e2e', () => {
  it('an authorized principal creates a producer and sends', async () => {
    const client = cluster.newClient({ token: authorized, ...tls() });
    const p = await producer(cluster, { topic: TOPIC, name: 'security-e2e-producer' }, client);
    await sleep(300);
    await expect(p.send('security-e2e-message')).resolves.toBeDefined();
  });

  it('an authorized principal subscribes', async () => {
    const client = cluster.newClient({ token: authorized, ...tls() });
    await expect(
      client.subscribe({ topic: TOPIC, subscription: 'security-e2e-sub', consumerName: 'security-e2e-consumer', type: 'exclusive' }),
    ).resolves.toBeDefined();
  });

  it('a principal without bindings is refused a producer, with a permission error', async () => {
    const client = cluster.newClient({ token: denied, ...tls() });
    const err = await producer(cluster, { topic: TOPIC, name: 'security-e2e-denied-producer' }, client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(String((err as Error).message)).toMatch(/permission|PERMISSION_DENIED/i);
    expect(String((err as Error).message)).toContain('no binding grants Lookup on Topic("/default/security-test") for service_account:unprivileged-app');
  });

  it('receiving needs Consume at cluster scope: a topic-scoped Consume binding subscribes but its stream is refused', async () => {
    // Upstream only asserts the subscribe; the broker checks ReceiveMessages against the cluster.
    const client = cluster.newClient({ token: authorized, ...tls() });
    const c = await client.subscribe({ topic: TOPIC, subscription: 'security-receive-sub', type: 'exclusive' });
    const err = await c.receive({ timeoutMs: 3_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(String((err as Error).message)).toContain('no binding grants Consume on Cluster for service_account:test-app');
  });
});
