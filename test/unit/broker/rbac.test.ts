import { describe, expect, it } from 'vitest';
import { CLUSTER, Rbac, topicResource } from '../../../src/broker/rbac.js';

describe('RBAC decisions', () => {
  const rbac = new Rbac(['root']);
  rbac.putRole({ name: 'producer', permissions: ['Produce', 'Lookup'], system: false });
  const app = { type: 'service_account' as const, name: 'app' };

  it('denies by default, naming the permission, resource and principal as the real broker', () => {
    expect(rbac.authorize(app, topicResource('/default/t'), 'Produce')).toBe('no binding grants Produce on Topic("/default/t") for service_account:app');
    expect(rbac.authorize(app, CLUSTER, 'Consume')).toBe('no binding grants Consume on Cluster for service_account:app');
  });

  it('a namespace binding covers its topics; a schema subject is looked up at topic scope', () => {
    rbac.putBinding({ id: 'b', principalType: 'service_account', principalName: 'app', roleNames: ['producer'], scope: 'namespace', resourceName: 'default' });
    expect(rbac.authorize(app, topicResource('/default/t'), 'Produce')).toBeUndefined();
    expect(rbac.authorize(app, topicResource('/other/t'), 'Produce')).toBeDefined();
    expect(rbac.authorize(app, { kind: 'SchemaSubject', name: 'default' }, 'Produce')).toBeUndefined();
    rbac.deleteBinding('namespace', 'default', 'b');
    expect(rbac.authorize(app, topicResource('/default/t'), 'Produce')).toBeDefined();
  });

  it('super admins, broker-internal and anonymous principals are allowed', () => {
    expect(rbac.authorize({ type: 'user', name: 'root' }, CLUSTER, 'ManageCluster')).toBeUndefined();
    expect(rbac.authorize({ type: 'broker_internal', name: 'b1' }, CLUSTER, 'ManageCluster')).toBeUndefined();
    expect(rbac.authorize({ type: 'anonymous', name: 'anonymous' }, CLUSTER, 'ManageCluster')).toBeUndefined();
  });

  it('a binding to a role that does not exist grants nothing; the same id replaces a binding', () => {
    rbac.putBinding({ id: 'x', principalType: 'user', principalName: 'u', roleNames: ['ghost'], scope: 'cluster', resourceName: '' });
    expect(rbac.authorize({ type: 'user', name: 'u' }, CLUSTER, 'Lookup')).toBeDefined();
    rbac.putBinding({ id: 'x', principalType: 'user', principalName: 'u', roleNames: ['producer'], scope: 'cluster', resourceName: '' });
    expect(rbac.listBindings('cluster', '')).toHaveLength(1);
    expect(rbac.authorize({ type: 'user', name: 'u' }, CLUSTER, 'Lookup')).toBeUndefined();
  });
});
