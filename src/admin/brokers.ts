import type { BrokerAdminClient, ClusterStatusResponse } from '../generated/danube/DanubeAdmin.js';
import type { AdminConnection, StubMethod } from './connection.js';
import type { BrokerSummary, ClusterBalance, UnloadBrokerOptions, UnloadBrokerResult } from './types.js';

/**
 * Brokers of the cluster (`danube_admin.BrokerAdmin`, `ClusterAdmin.ClusterStatus`).
 *
 * @example
 * for (const b of await admin.brokers.list()) console.log(b.id, b.url, b.status);
 */
export class BrokersAdmin {
  constructor(private readonly conn: AdminConnection) {}

  private rpc<Req, Res>(name: string, method: (c: BrokerAdminClient) => unknown, request: Req): Promise<Res> {
    const client = this.conn.brokers;
    return this.conn.call(name, client, method(client) as StubMethod<Req, Res>, request);
  }

  async list(): Promise<BrokerSummary[]> {
    const res = await this.rpc<object, import('../generated/danube/DanubeAdmin.js').BrokerListResponse>('ListBrokers', (c) => c.listBrokers, {});
    return res.brokers.map((b) => ({
      id: b.brokerId,
      url: b.brokerAddr,
      role: b.brokerRole,
      adminUrl: b.adminAddr,
      metricsAddr: b.metricsAddr,
      status: b.brokerStatus,
    }));
  }

  /** The id of the cluster's leader broker. */
  async leader(): Promise<string> {
    return (await this.rpc<object, { leader: string }>('GetLeaderBroker', (c) => c.getLeaderBroker, {})).leader;
  }

  /** Moves every topic (of the given namespaces) off a broker and marks it draining. */
  unload(brokerId: string, options: UnloadBrokerOptions = {}): Promise<UnloadBrokerResult> {
    return this.rpc('UnloadBroker', (c) => c.unloadBroker, {
      brokerId,
      maxParallel: 0,
      namespacesInclude: options.namespacesInclude ?? [],
      namespacesExclude: options.namespacesExclude ?? [],
      dryRun: options.dryRun ?? false,
      timeoutSeconds: 0,
    });
  }

  /** Marks a broker active again, so that topics are assigned to it. */
  async activate(brokerId: string, reason = ''): Promise<void> {
    await this.rpc('ActivateBroker', (c) => c.activateBroker, { brokerId, reason });
  }

  async balance(): Promise<ClusterBalance> {
    const res = await this.rpc<object, import('../generated/danube/DanubeAdmin.js').ClusterBalanceResponse>(
      'GetClusterBalance',
      (c) => c.getClusterBalance,
      {},
    );
    return {
      coefficientOfVariation: res.coefficientOfVariation,
      meanLoad: res.meanLoad,
      maxLoad: res.maxLoad,
      minLoad: res.minLoad,
      stdDeviation: res.stdDeviation,
      brokers: res.brokers.map((b) => ({
        brokerId: String(b.brokerId),
        load: b.load,
        topicCount: b.topicCount,
        overloaded: b.isOverloaded,
        underloaded: b.isUnderloaded,
      })),
      assignmentStrategy: res.assignmentStrategy,
    };
  }

  /** Raft state of the cluster (cluster mode only). */
  clusterStatus(): Promise<ClusterStatusResponse> {
    const client = this.conn.cluster;
    return this.conn.call('ClusterStatus', client, client.clusterStatus as unknown as StubMethod<object, ClusterStatusResponse>, {});
  }
}
