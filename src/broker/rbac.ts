// Role-based access control as the real broker evaluates it (security/authz.rs,
// resources/security.rs): default deny; a principal is allowed when one of its bindings,
// at cluster scope or at a scope that contains the resource, names a role holding the
// permission. Super admins (auth.super_admins) and broker-internal principals skip it.

/** The real broker's permissions, spelled as its admin API spells them. */
export const PERMISSIONS = [
  'Lookup',
  'Produce',
  'Consume',
  'Replicate',
  'ManageNamespace',
  'ManageTopic',
  'ManageSchema',
  'ManageBroker',
  'ManageCluster',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const SCOPES = ['cluster', 'namespace', 'topic'] as const;
export type BindingScope = (typeof SCOPES)[number];

/** What an RPC acts on; `Broker` and `SchemaSubject` resolve to the scopes the real broker maps them to. */
export type Resource =
  | { kind: 'Cluster' }
  | { kind: 'Broker'; name: string }
  | { kind: 'Namespace'; name: string }
  | { kind: 'Topic'; name: string }
  | { kind: 'SchemaSubject'; name: string };

export const CLUSTER: Resource = Object.freeze({ kind: 'Cluster' });
export const topicResource = (name: string): Resource => ({ kind: 'Topic', name });

/** Who is calling: from the token's `principal_type` / `principal_name` claims. */
export interface Principal {
  type: 'user' | 'service_account' | 'broker_internal' | 'anonymous';
  name: string;
}

export interface Role {
  name: string;
  permissions: Permission[];
  system: boolean;
}

export interface RoleBinding {
  id: string;
  principalType: string;
  principalName: string;
  roleNames: string[];
  scope: BindingScope;
  /** Namespace name or full topic name; empty at cluster scope. */
  resourceName: string;
}

/** Roles and bindings as persisted (metadata.json) and carried across restarts. */
export interface RbacSnapshot {
  roles: Role[];
  bindings: RoleBinding[];
}

/** `Topic("/default/t")`, the Rust debug form the real denial message prints. */
export function describeResource(r: Resource): string {
  return r.kind === 'Cluster' ? 'Cluster' : `${r.kind}(${JSON.stringify(r.name)})`;
}

/**
 * The scope a resource's bindings are looked up at. A schema subject maps to the topic
 * scope with the subject as resource name, and a broker to the cluster scope, as in the
 * real broker.
 */
function scopeOf(r: Resource): { scope: BindingScope; name: string } {
  switch (r.kind) {
    case 'Cluster':
    case 'Broker':
      return { scope: 'cluster', name: '' };
    case 'Namespace':
      return { scope: 'namespace', name: r.name };
    case 'Topic':
    case 'SchemaSubject':
      return { scope: 'topic', name: r.name };
  }
}

const key = (scope: string, name: string): string => `${scope}\0${name}`;
const DECISION_CACHE_LIMIT = 10_000;

/**
 * The roles, bindings and super admins of one cluster, and the decision they give.
 *
 * @example
 * const rbac = new Rbac(['admin']);
 * rbac.putRole({ name: 'producer', permissions: ['Produce', 'Lookup'], system: false });
 * rbac.authorize({ type: 'user', name: 'app' }, topicResource('/default/t'), 'Produce'); // "no binding grants ..."
 */
export class Rbac {
  private readonly roles = new Map<string, Role>();
  private readonly bindings = new Map<string, RoleBinding[]>();
  private readonly superAdmins: ReadonlySet<string>;
  // SendMessage and Ack are authorized per call: decisions are cached until roles or bindings change.
  private readonly decisions = new Map<string, string | undefined>();

  constructor(superAdmins: readonly string[] = []) {
    this.superAdmins = new Set(superAdmins);
  }

  /** Undefined when allowed, else the real broker's denial message. */
  authorize(principal: Principal, resource: Resource, permission: Permission): string | undefined {
    if (principal.type === 'broker_internal' || principal.type === 'anonymous') return undefined;
    if (this.superAdmins.has(principal.name)) return undefined;
    const at = scopeOf(resource);
    const cacheKey = `${principal.type}:${principal.name}\0${permission}\0${at.scope}\0${at.name}`;
    if (this.decisions.has(cacheKey)) return this.decisions.get(cacheKey);
    const verdict = this.grants(principal, at, permission)
      ? undefined
      : `no binding grants ${permission} on ${describeResource(resource)} for ${principal.type}:${principal.name}`;
    if (this.decisions.size >= DECISION_CACHE_LIMIT) this.decisions.clear();
    this.decisions.set(cacheKey, verdict);
    return verdict;
  }

  private grants(principal: Principal, at: { scope: BindingScope; name: string }, permission: Permission): boolean {
    const candidates = [...(this.bindings.get(key('cluster', '')) ?? [])];
    if (at.scope !== 'cluster') {
      // A topic's namespace is its first path segment; its bindings count for the topic too.
      const ns = at.scope === 'topic' ? (at.name.replace(/^\/+/, '').split('/')[0] ?? '') : at.name;
      if (ns) candidates.push(...(this.bindings.get(key('namespace', ns)) ?? []));
      if (at.scope === 'topic' && at.name) candidates.push(...(this.bindings.get(key('topic', at.name)) ?? []));
    }
    for (const b of candidates) {
      if (b.principalType !== principal.type || b.principalName !== principal.name) continue;
      for (const roleName of b.roleNames) {
        if (this.roles.get(roleName)?.permissions.includes(permission)) return true;
      }
    }
    return false;
  }

  getRole(name: string): Role | undefined {
    return this.roles.get(name);
  }

  listRoles(): Role[] {
    return [...this.roles.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Creates or replaces a role. */
  putRole(role: Role): void {
    this.roles.set(role.name, { ...role, permissions: [...role.permissions] });
    this.decisions.clear();
  }

  deleteRole(name: string): void {
    this.roles.delete(name);
    this.decisions.clear();
  }

  /** Creates a binding, or replaces the one with the same id at the same scope and resource. */
  putBinding(binding: RoleBinding): void {
    const k = key(binding.scope, binding.resourceName);
    const list = (this.bindings.get(k) ?? []).filter((b) => b.id !== binding.id);
    list.push({ ...binding, roleNames: [...binding.roleNames] });
    this.bindings.set(k, list);
    this.decisions.clear();
  }

  getBinding(scope: string, resourceName: string, id: string): RoleBinding | undefined {
    return this.bindings.get(key(scope, resourceName))?.find((b) => b.id === id);
  }

  listBindings(scope: string, resourceName: string): RoleBinding[] {
    return [...(this.bindings.get(key(scope, resourceName)) ?? [])];
  }

  listAllBindings(): RoleBinding[] {
    return [...this.bindings.values()].flat();
  }

  deleteBinding(scope: string, resourceName: string, id: string): void {
    const k = key(scope, resourceName);
    const list = (this.bindings.get(k) ?? []).filter((b) => b.id !== id);
    if (list.length) this.bindings.set(k, list);
    else this.bindings.delete(k);
    this.decisions.clear();
  }

  snapshot(): RbacSnapshot {
    return { roles: this.listRoles(), bindings: this.listAllBindings() };
  }

  restore(snapshot: RbacSnapshot): void {
    for (const r of snapshot.roles) this.putRole(r);
    for (const b of snapshot.bindings) this.putBinding(b);
  }
}
