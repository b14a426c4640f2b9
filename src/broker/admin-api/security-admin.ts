import type { BindingDefinition, RoleDefinition, SecurityAdminServer } from '../../generated/danube/DanubeAdmin.js';
import { failedPrecondition, invalidArgument, notFound } from '../errors.js';
import { CLUSTER, PERMISSIONS, SCOPES, type BindingScope, type Permission, type Role, type RoleBinding } from '../rbac.js';
import { unary } from '../services/gate.js';
import type { AdminContext } from './context.js';

function scopeOf(scope: string): BindingScope {
  if ((SCOPES as readonly string[]).includes(scope)) return scope as BindingScope;
  throw invalidArgument(`invalid scope: ${scope} (expected cluster, namespace, or topic)`);
}

const roleToWire = (r: Role): RoleDefinition => ({ name: r.name, permissions: [...r.permissions], system: r.system });

const bindingToWire = (b: RoleBinding): BindingDefinition => ({
  id: b.id,
  principalType: b.principalType,
  principalName: b.principalName,
  roleNames: [...b.roleNames],
  scope: b.scope,
  resourceName: b.resourceName,
});

/** `danube_admin.SecurityAdmin`: roles and bindings, each call needing ManageCluster. */
export function securityAdminService(ctx: AdminContext): SecurityAdminServer {
  const rbac = ctx.state.rbac;
  const saved = <T>(v: T): T => {
    ctx.state.persistence?.topicChanged(null);
    return v;
  };
  const cluster = (): ['ManageCluster', typeof CLUSTER] => ['ManageCluster', CLUSTER];
  return {
    createRole: unary(
      ctx,
      'CreateRole',
      (req) => {
        const def = req.role;
        if (!def) throw invalidArgument('role is required');
        if (!def.name) throw invalidArgument('role name is required');
        for (const p of def.permissions) {
          if (!(PERMISSIONS as readonly string[]).includes(p)) throw invalidArgument(`unknown permission: ${p}`);
        }
        rbac.putRole({ name: def.name, permissions: def.permissions as Permission[], system: def.system });
        return saved({ success: true });
      },
      cluster,
    ),

    getRole: unary(
      ctx,
      'GetRole',
      (req) => {
        const role = rbac.getRole(req.name);
        if (!role) throw notFound(`role '${req.name}' not found`);
        return { role: roleToWire(role) };
      },
      cluster,
    ),

    listRoles: unary(ctx, 'ListRoles', () => ({ roles: rbac.listRoles().map(roleToWire) }), cluster),

    deleteRole: unary(
      ctx,
      'DeleteRole',
      (req) => {
        const role = rbac.getRole(req.name);
        if (!role) throw notFound(`role '${req.name}' not found`);
        if (role.system) throw failedPrecondition(`cannot delete system role '${req.name}'`);
        rbac.deleteRole(req.name);
        return saved({ success: true });
      },
      cluster,
    ),

    createBinding: unary(
      ctx,
      'CreateBinding',
      (req) => {
        const def = req.binding;
        if (!def) throw invalidArgument('binding is required');
        if (!def.id) throw invalidArgument('binding id is required');
        if (!def.principalType || !def.principalName) throw invalidArgument('principal_type and principal_name are required');
        if (def.roleNames.length === 0) throw invalidArgument('at least one role_name is required');
        rbac.putBinding({
          id: def.id,
          principalType: def.principalType,
          principalName: def.principalName,
          roleNames: [...def.roleNames],
          scope: scopeOf(def.scope),
          resourceName: def.resourceName,
        });
        return saved({ success: true });
      },
      cluster,
    ),

    getBinding: unary(
      ctx,
      'GetBinding',
      (req) => {
        const b = rbac.getBinding(scopeOf(req.scope), req.resourceName, req.bindingId);
        if (!b) throw notFound(`binding '${req.bindingId}' not found`);
        return { binding: bindingToWire(b) };
      },
      cluster,
    ),

    listBindings: unary(
      ctx,
      'ListBindings',
      (req) => ({
        bindings: rbac.listBindings(scopeOf(req.scope), req.resourceName).map(bindingToWire),
      }),
      cluster,
    ),

    listAllBindings: unary(ctx, 'ListAllBindings', () => ({ bindings: rbac.listAllBindings().map(bindingToWire) }), cluster),

    deleteBinding: unary(
      ctx,
      'DeleteBinding',
      (req) => {
        const scope = scopeOf(req.scope);
        if (!rbac.getBinding(scope, req.resourceName, req.bindingId)) throw notFound(`binding '${req.bindingId}' not found`);
        rbac.deleteBinding(scope, req.resourceName, req.bindingId);
        return saved({ success: true });
      },
      cluster,
    ),
  };
}
