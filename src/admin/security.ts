import type { BindingDefinition as WireBinding, RoleDefinition as WireRole, SecurityAdminClient } from '../generated/danube/DanubeAdmin.js';
import type { AdminConnection, StubMethod } from './connection.js';
import type { AdminPermission, BindingDefinition, RoleDefinition } from './types.js';

const roleFromWire = (r: WireRole): RoleDefinition => ({ name: r.name, permissions: r.permissions as AdminPermission[], system: r.system });
const bindingFromWire = (b: WireBinding): BindingDefinition => ({
  id: b.id,
  principalType: b.principalType,
  principalName: b.principalName,
  roleNames: b.roleNames,
  scope: b.scope as BindingDefinition['scope'],
  resourceName: b.resourceName,
});

/**
 * RBAC administration (`danube_admin.SecurityAdmin`): roles are sets of permissions, bindings
 * give roles to a principal at cluster, namespace or topic scope. Needs ManageCluster (or a
 * super admin's token).
 *
 * @example
 * await admin.security.createRole({ name: 'producer', permissions: ['Produce', 'Lookup'] });
 * await admin.security.createBinding({ id: 'orders-src', principalType: 'service_account', principalName: 'orders-src',
 *   roleNames: ['producer'], scope: 'topic', resourceName: '/default/orders' });
 */
export class SecurityAdmin {
  constructor(private readonly conn: AdminConnection) {}

  private rpc<Req, Res>(name: string, method: (c: SecurityAdminClient) => unknown, request: Req): Promise<Res> {
    const client = this.conn.security;
    return this.conn.call(name, client, method(client) as StubMethod<Req, Res>, request);
  }

  async createRole(role: RoleDefinition): Promise<void> {
    await this.rpc('CreateRole', (c) => c.createRole, { role: { name: role.name, permissions: role.permissions, system: role.system ?? false } });
  }

  async getRole(name: string): Promise<RoleDefinition> {
    const res = await this.rpc<object, { role?: WireRole }>('GetRole', (c) => c.getRole, { name });
    return roleFromWire(res.role!);
  }

  async listRoles(): Promise<RoleDefinition[]> {
    return (await this.rpc<object, { roles: WireRole[] }>('ListRoles', (c) => c.listRoles, {})).roles.map(roleFromWire);
  }

  async deleteRole(name: string): Promise<void> {
    await this.rpc('DeleteRole', (c) => c.deleteRole, { name });
  }

  async createBinding(binding: BindingDefinition): Promise<void> {
    await this.rpc('CreateBinding', (c) => c.createBinding, { binding: { ...binding, resourceName: binding.resourceName ?? '' } });
  }

  async getBinding(scope: string, resourceName: string, id: string): Promise<BindingDefinition> {
    const res = await this.rpc<object, { binding?: WireBinding }>('GetBinding', (c) => c.getBinding, { scope, resourceName, bindingId: id });
    return bindingFromWire(res.binding!);
  }

  /** Bindings at one scope and resource, or every binding when `scope` is omitted. */
  async listBindings(scope?: string, resourceName = ''): Promise<BindingDefinition[]> {
    const res =
      scope === undefined
        ? await this.rpc<object, { bindings: WireBinding[] }>('ListAllBindings', (c) => c.listAllBindings, {})
        : await this.rpc<object, { bindings: WireBinding[] }>('ListBindings', (c) => c.listBindings, { scope, resourceName });
    return res.bindings.map(bindingFromWire);
  }

  async deleteBinding(scope: string, resourceName: string, id: string): Promise<void> {
    await this.rpc('DeleteBinding', (c) => c.deleteBinding, { scope, resourceName, bindingId: id });
  }
}
