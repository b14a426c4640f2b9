import {
  DispatchStrategy,
  type DescribeTopicResponse,
  type NewTopicRequest,
  type PartitionedTopicRequest,
  type TopicInfo,
  type TopicRequest,
} from '../../generated/danube/DanubeAdmin.js';
import { invalidArgument, notFound, unimplemented } from '../errors.js';
import { topicResource, type Resource } from '../rbac.js';
import { unary } from '../services/gate.js';
import { invalidTopicMessage, isValidTopicName, partitionName } from '../topic-name.js';
import { deliveryOf, isStandalone, type AdminContext } from './context.js';
import { errorText } from './status-text.js';

type TopicRpcs = Pick<
  import('../../generated/danube/DanubeAdmin.js').TopicAdminServer,
  'listNamespaceTopics' | 'listBrokerTopics' | 'createTopic' | 'createPartitionedTopic' | 'deleteTopic' | 'unloadTopic' | 'describeTopic'
>;

/** Admin dispatch enum → reliable?, refusing values outside the enum as the real broker does. */
function reliableOf(value: number): boolean {
  if (value === DispatchStrategy.Reliable) return true;
  if (value === DispatchStrategy.NonReliable) return false;
  throw invalidArgument('invalid dispatch_strategy value');
}

/** The topic half of `danube_admin.TopicAdmin`: list, create, delete, unload, describe. */
export function topicAdminRpcs(ctx: AdminContext): TopicRpcs {
  const state = ctx.state;
  const info = (name: string): TopicInfo => {
    const owner = state.topics.get(name)?.owner;
    return { name, brokerId: owner === undefined ? '' : state.brokerIds[owner]!, delivery: deliveryOf(ctx, name) };
  };

  /** Creates one topic through the same checks as a producer's auto-create, wrapped as the admin API wraps them. */
  const create = (name: string, reliable: boolean, schemaSubject: string | undefined): void => {
    try {
      if (!isValidTopicName(name)) throw invalidArgument(invalidTopicMessage(name));
      const topic = state.createTopic(name, reliable, state.nodes === 1 ? 0 : undefined);
      if (schemaSubject !== undefined) {
        topic.schemaSubject = schemaSubject;
        state.persistence?.topicChanged(topic);
      }
    } catch (err) {
      throw notFound(`Unable to create the topic ${name} due to ${errorText(err)}`);
    }
  };

  const manage = (name: string): ['ManageTopic', Resource] => ['ManageTopic', topicResource(name)];

  return {
    listNamespaceTopics: unary(
      ctx,
      'ListNamespaceTopics',
      (req) => ({
        topics: ctx.admin.listTopics(req.name).map(info),
      }),
      (req) => ['ManageTopic', { kind: 'Namespace', name: req.name }],
    ),

    listBrokerTopics: unary(
      ctx,
      'ListBrokerTopics',
      (req) => {
        const index = state.brokerIndex(req.brokerId);
        const names = index === undefined ? [] : ctx.admin.listTopics().filter((t) => state.topics.get(t)!.owner === index);
        return { topics: names.map(info) };
      },
      (req) => ['ManageTopic', { kind: 'Broker', name: req.brokerId }],
    ),

    createTopic: unary(
      ctx,
      'CreateTopic',
      (req: NewTopicRequest) => {
        const reliable = reliableOf(req.dispatchStrategy);
        create(req.name, reliable, req.schemaSubject);
        return { success: true };
      },
      (req) => manage(req.name),
    ),

    createPartitionedTopic: unary(
      ctx,
      'CreatePartitionedTopic',
      (req: PartitionedTopicRequest) => {
        const reliable = reliableOf(req.dispatchStrategy);
        // Fail fast, as the real broker: partitions created before a failure stay.
        for (let i = 0; i < req.partitions; i++) create(partitionName(req.baseName, i), reliable, req.schemaSubject);
        return { success: true };
      },
      (req) => manage(req.baseName),
    ),

    deleteTopic: unary(
      ctx,
      'DeleteTopic',
      (req: TopicRequest) => {
        const fail = (why: string): never => {
          throw notFound(`Unable to delete the topic ${req.name} due to ${why}`);
        };
        if (req.name.includes('-part-')) {
          fail(
            `Cannot delete individual partition '${req.name}'. Delete the base topic instead (e.g., if partition is '/default/mytopic-part-0', delete '/default/mytopic').`,
          );
        }
        const partitions = state.partitionsFor(req.name).filter((t) => t !== req.name && t.includes('-part-'));
        if (partitions.length === 0 && !state.topics.has(req.name)) fail(`Unable to find topic: ${req.name}`);
        ctx.admin.deleteTopic(req.name);
        return { success: true };
      },
      (req) => manage(req.name),
    ),

    unloadTopic: unary(
      ctx,
      'UnloadTopic',
      (req: TopicRequest) => {
        if (isStandalone(ctx)) throw unimplemented('topic unload not available in standalone/edge mode');
        const topic = state.topics.get(req.name);
        if (!topic) throw notFound(`Unable to unload the topic ${req.name} due to Unable to find topic`);
        // As an unload marker does: the load manager assigns it to any broker but the one it leaves.
        ctx.admin.moveTopic(req.name, state.nextOwner(topic.owner));
        return { success: true };
      },
      (req) => manage(req.name),
    ),

    describeTopic: unary(
      ctx,
      'DescribeTopic',
      (req): DescribeTopicResponse => {
        // An unknown topic is not an error here: the real broker describes it as empty.
        const topic = state.topics.get(req.name);
        const subject = topic?.schemaSubject;
        const rec = subject ? state.schemas.subjects.get(subject) : undefined;
        const latest = rec?.versions.at(-1);
        return {
          name: req.name,
          subscriptions: topic ? [...topic.subscriptions.keys()] : [],
          brokerId: topic ? state.brokerIds[topic.owner]! : '',
          delivery: deliveryOf(ctx, req.name),
          schemaSubject: subject,
          schemaId: rec?.id,
          schemaVersion: latest?.version,
          schemaType: latest?.kind,
          compatibilityMode: rec?.compatibility,
        };
      },
      (req) => manage(req.name),
    ),
  };
}
