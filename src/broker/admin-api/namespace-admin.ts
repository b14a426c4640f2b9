import type { NamespaceAdminServer, NamespaceRequest } from '../../generated/danube/DanubeAdmin.js';
import { notFound } from '../errors.js';
import type { Resource } from '../rbac.js';
import { unary } from '../services/gate.js';
import type { AdminContext } from './context.js';

const nsResource = (req: NamespaceRequest): ['ManageNamespace', Resource] => ['ManageNamespace', { kind: 'Namespace', name: req.name }];

/** `danube_admin.NamespaceAdmin`. */
export function namespaceAdminService(ctx: AdminContext): NamespaceAdminServer {
  const state = ctx.state;
  return {
    // The real broker lists them as metadata keys: "ns/topic", without the leading slash.
    getNamespaceTopics: unary(
      ctx,
      'GetNamespaceTopics',
      (req: NamespaceRequest) => ({
        topics: ctx.admin.listTopics(req.name).map((t) => t.slice(1)),
      }),
      nsResource,
    ),

    getNamespacePolicies: unary(
      ctx,
      'GetNamespacePolicies',
      (req: NamespaceRequest) => {
        if (!state.namespaces.has(req.name)) {
          throw notFound(`Unable to retrieve polices for the namespace ${req.name} due to Unable to retrieve the policies for the namespace`);
        }
        return { policies: JSON.stringify(state.namespacePolicies(req.name)) };
      },
      nsResource,
    ),

    createNamespace: unary(
      ctx,
      'CreateNamespace',
      (req: NamespaceRequest) => {
        if (state.namespaces.has(req.name)) {
          throw notFound(`Unable to create the namespace ${req.name} due to Namespace ${req.name} already exists.`);
        }
        ctx.admin.createNamespace(req.name);
        return { success: true };
      },
      nsResource,
    ),

    deleteNamespace: unary(
      ctx,
      'DeleteNamespace',
      (req: NamespaceRequest) => {
        const why = !state.namespaces.has(req.name)
          ? `Namespace ${req.name} does not exists.`
          : ctx.admin.listTopics(req.name).length > 0
            ? `Can't delete and non empty namespace: ${req.name}`
            : undefined;
        if (why) throw notFound(`Unable to delete the namespace ${req.name} due to ${why}`);
        ctx.admin.deleteNamespace(req.name);
        return { success: true };
      },
      nsResource,
    ),
  };
}
