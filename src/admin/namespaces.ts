import type { NamespaceAdminClient } from '../generated/danube/DanubeAdmin.js';
import type { AdminConnection, StubMethod } from './connection.js';

/**
 * Namespaces (`danube_admin.NamespaceAdmin`, `BrokerAdmin.ListNamespaces`).
 *
 * @example
 * await admin.namespaces.create('orders');
 */
export class NamespacesAdmin {
  constructor(private readonly conn: AdminConnection) {}

  private rpc<Res>(name: string, method: (c: NamespaceAdminClient) => unknown, namespace: string): Promise<Res> {
    const client = this.conn.namespaces;
    return this.conn.call(name, client, method(client) as StubMethod<{ name: string }, Res>, { name: namespace });
  }

  async list(): Promise<string[]> {
    const client = this.conn.brokers;
    const res = await this.conn.call('ListNamespaces', client, client.listNamespaces as unknown as StubMethod<object, { namespaces: string[] }>, {});
    return [...new Set(res.namespaces)].sort();
  }

  async create(namespace: string): Promise<void> {
    await this.rpc('CreateNamespace', (c) => c.createNamespace, namespace);
  }

  /** Deletes an empty namespace. */
  async delete(namespace: string): Promise<void> {
    await this.rpc('DeleteNamespace', (c) => c.deleteNamespace, namespace);
  }

  /** Topic names of a namespace, as the broker lists them. */
  async topics(namespace: string): Promise<string[]> {
    return (await this.rpc<{ topics: string[] }>('GetNamespaceTopics', (c) => c.getNamespaceTopics, namespace)).topics;
  }

  /** The namespace's policies (limits), parsed from the broker's JSON. */
  async policies(namespace: string): Promise<Record<string, unknown>> {
    const res = await this.rpc<{ policies: string }>('GetNamespacePolicies', (c) => c.getNamespacePolicies, namespace);
    return JSON.parse(res.policies) as Record<string, unknown>;
  }
}
