import type {
  BrokerAdminServer,
  BrokerInfo,
  BrokerLoadInfo,
  ClusterAdminServer,
  UnloadBrokerRequest,
  UnloadBrokerResponse,
} from '../../generated/danube/DanubeAdmin.js';
import { failedPrecondition, internal, invalidArgument, unimplemented } from '../errors.js';
import { CLUSTER, type Resource } from '../rbac.js';
import { unary } from '../services/gate.js';
import { isStandalone, type AdminContext } from './context.js';

const brokerResource = (id: string): Resource => ({ kind: 'Broker', name: id });

/** `danube_admin.BrokerAdmin`: brokers, their state, and what their topics weigh. */
export function brokerAdminService(ctx: AdminContext): BrokerAdminServer {
  const state = ctx.state;
  const leader = (): string => state.brokerIds[0]!;
  return {
    listBrokers: unary(
      ctx,
      'ListBrokers',
      () => ({
        brokers: state.brokerIds.map(
          (id, i): BrokerInfo => ({
            brokerId: id,
            brokerAddr: ctx.urlOf(i),
            // Broker 0 plays the part of the Raft leader: there is one metadata store for all.
            brokerRole: i === 0 ? 'Cluster_Leader' : 'Cluster_Follower',
            adminAddr: ctx.adminUrlOf(i),
            metricsAddr: '',
            brokerStatus: state.brokerStatus[i]!,
          }),
        ),
      }),
      () => ['ManageBroker', CLUSTER],
    ),

    getLeaderBroker: unary(
      ctx,
      'GetLeaderBroker',
      () => ({ leader: leader() }),
      () => ['ManageBroker', CLUSTER],
    ),

    listNamespaces: unary(
      ctx,
      'ListNamespaces',
      () => ({ namespaces: ctx.admin.listNamespaces() }),
      () => ['ManageNamespace', CLUSTER],
    ),

    unloadBroker: unary(
      ctx,
      'UnloadBroker',
      (req: UnloadBrokerRequest): UnloadBrokerResponse => {
        if (state.nodes < 2) throw failedPrecondition('Cannot unload broker: single broker cluster detected.');
        if (!req.brokerId) throw invalidArgument('broker_id must be provided to unload a broker');
        const target = state.brokerIndex(req.brokerId);
        if (!state.brokerIds.some((id, i) => id !== req.brokerId && state.brokerStatus[i] === 'active')) {
          throw failedPrecondition('Cannot unload broker: no other active brokers available for reassignment.');
        }
        let topics =
          target === undefined
            ? []
            : [...state.topics.values()]
                .filter((t) => t.owner === target)
                .map((t) => t.name)
                .sort();
        const inNs = (t: string, ns: string) => t.startsWith(`/${ns}/`);
        if (req.namespacesInclude.length) topics = topics.filter((t) => req.namespacesInclude.some((ns) => inNs(t, ns)));
        if (req.namespacesExclude.length) topics = topics.filter((t) => !req.namespacesExclude.some((ns) => inNs(t, ns)));
        const total = topics.length;
        if (req.dryRun) return { started: false, total, succeeded: 0, failed: 0, pending: total, failedTopics: [] };
        if (target === undefined) return { started: true, total: 0, succeeded: 0, failed: 0, pending: 0, failedTopics: [] };
        // Draining first, so that nothing new is assigned to it while its topics move away.
        state.brokerStatus[target] = total === 0 ? 'drained' : 'draining';
        let succeeded = 0;
        const failedTopics: string[] = [];
        for (const topic of topics) {
          try {
            ctx.admin.moveTopic(topic, state.nextOwner(target));
            succeeded++;
          } catch (err) {
            failedTopics.push(`${topic}: ${(err as Error).message}`);
          }
        }
        return { started: true, total, succeeded, failed: failedTopics.length, pending: total - succeeded - failedTopics.length, failedTopics };
      },
      (req) => ['ManageBroker', brokerResource(req.brokerId)],
    ),

    activateBroker: unary(
      ctx,
      'ActivateBroker',
      (req) => {
        if (!req.brokerId) throw invalidArgument('broker_id must be provided to activate a broker');
        const i = state.brokerIndex(req.brokerId);
        if (i === undefined) throw internal(`Failed to set broker state to active: unknown broker ${req.brokerId}`);
        state.brokerStatus[i] = 'active';
        return { success: true };
      },
      (req) => ['ManageBroker', brokerResource(req.brokerId)],
    ),

    getClusterBalance: unary(
      ctx,
      'GetClusterBalance',
      () => {
        if (isStandalone(ctx)) throw unimplemented('cluster balance not available in standalone/edge mode');
        // Without load reports, a broker's load is the number of topics it serves.
        const loads = state.brokerIds.map((_, i) => [...state.topics.values()].filter((t) => t.owner === i).length);
        const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
        const std = Math.sqrt(loads.reduce((a, l) => a + (l - mean) ** 2, 0) / loads.length);
        const brokers: BrokerLoadInfo[] = loads.map((load, i) => ({
          brokerId: BigInt(state.brokerIds[i]!),
          load,
          topicCount: load,
          isOverloaded: mean > 0 && load > mean * 1.2,
          isUnderloaded: mean > 0 && load < mean * 0.8,
        }));
        return {
          coefficientOfVariation: mean > 0 ? std / mean : 0,
          meanLoad: mean,
          maxLoad: Math.max(...loads),
          minLoad: Math.min(...loads),
          stdDeviation: std,
          brokerCount: loads.length,
          brokers,
          assignmentStrategy: 'RoundRobin',
        };
      },
      () => ['ManageCluster', CLUSTER],
    ),

    triggerRebalance: unary(
      ctx,
      'TriggerRebalance',
      () => {
        if (isStandalone(ctx)) throw unimplemented('rebalancing not available in standalone/edge mode');
        // What a real broker without a `load_manager.rebalancing` section answers.
        throw failedPrecondition('Rebalancing is not configured on this broker');
      },
      () => ['ManageCluster', CLUSTER],
    ),
  };
}

/** `danube_admin.ClusterAdmin`: Raft membership, which the embedded cluster does not have. */
export function clusterAdminService(ctx: AdminContext): ClusterAdminServer {
  const state = ctx.state;
  const check = (): void => {
    if (isStandalone(ctx)) throw unimplemented('cluster operations not available in standalone/edge mode');
  };
  const fixed = (): never => {
    check();
    throw unimplemented('the embedded cluster has no Raft: its brokers are fixed when it starts (the "brokers" option)');
  };
  return {
    clusterStatus: unary(
      ctx,
      'ClusterStatus',
      () => {
        check();
        const ids = state.brokerIds.map((id) => BigInt(id));
        return {
          leaderId: ids[0]!,
          currentTerm: 1n,
          lastApplied: 0n,
          voters: ids,
          learners: [],
          selfNodeId: ids[ctx.index]!,
          raftAddr: '',
        };
      },
      () => ['ManageCluster', CLUSTER],
    ),
    addNode: unary(ctx, 'AddNode', fixed, () => ['ManageCluster', CLUSTER]),
    promoteNode: unary(ctx, 'PromoteNode', fixed, () => ['ManageCluster', CLUSTER]),
    removeNode: unary(ctx, 'RemoveNode', fixed, () => ['ManageCluster', CLUSTER]),
  };
}
