import { DispatchStrategy, type DescribeTopicResponse, type TopicAdminClient, type TopicInfo } from '../generated/danube/DanubeAdmin.js';
import type { AdminConnection, StubMethod } from './connection.js';
import type { Dispatch, TopicDescription, TopicSummary } from './types.js';

export interface CreateTopicOptions {
  /** Default `'non-reliable'`, as Danube's. */
  dispatch?: Dispatch;
  /** With more than 0, creates `<topic>-part-0` … `<topic>-part-(N-1)`. */
  partitions?: number;
  /** Schema subject the topic uses (registered or not: the broker does not check). */
  schemaSubject?: string;
}

const toSummary = (t: TopicInfo): TopicSummary => ({ name: t.name, brokerId: t.brokerId, dispatch: t.delivery === 'Reliable' ? 'reliable' : 'non-reliable' });

/**
 * Topics (`danube_admin.TopicAdmin`).
 *
 * @example
 * await admin.topics.create('/default/orders', { partitions: 4, dispatch: 'reliable' });
 * await admin.topics.unload('/default/orders-part-0'); // moves it to another broker of the cluster
 */
export class TopicsAdmin {
  constructor(private readonly conn: AdminConnection) {}

  private rpc<Req, Res>(name: string, method: (c: TopicAdminClient) => unknown, request: Req): Promise<Res> {
    const client = this.conn.topics;
    return this.conn.call(name, client, method(client) as StubMethod<Req, Res>, request);
  }

  /** Topics of a namespace (partitions listed one by one) with their broker and dispatch. */
  async list(namespace: string): Promise<TopicSummary[]> {
    const res = await this.rpc<object, { topics: TopicInfo[] }>('ListNamespaceTopics', (c) => c.listNamespaceTopics, { name: namespace });
    return res.topics.map(toSummary);
  }

  /** Topics served by one broker. */
  async listOnBroker(brokerId: string): Promise<TopicSummary[]> {
    const res = await this.rpc<object, { topics: TopicInfo[] }>('ListBrokerTopics', (c) => c.listBrokerTopics, { brokerId });
    return res.topics.map(toSummary);
  }

  async create(topic: string, options: CreateTopicOptions = {}): Promise<void> {
    const dispatchStrategy = options.dispatch === 'reliable' ? DispatchStrategy.Reliable : DispatchStrategy.NonReliable;
    if (options.partitions && options.partitions > 0) {
      await this.rpc('CreatePartitionedTopic', (c) => c.createPartitionedTopic, {
        baseName: topic,
        partitions: options.partitions,
        schemaSubject: options.schemaSubject,
        dispatchStrategy,
      });
      return;
    }
    await this.rpc('CreateTopic', (c) => c.createTopic, { name: topic, schemaSubject: options.schemaSubject, dispatchStrategy });
  }

  /** Deletes a topic, or every partition of a partitioned one (given by its base name). */
  async delete(topic: string): Promise<void> {
    await this.rpc('DeleteTopic', (c) => c.deleteTopic, { name: topic });
  }

  /** Unloads a topic from its broker; the cluster assigns it to another one, and clients follow it. */
  async unload(topic: string): Promise<void> {
    await this.rpc('UnloadTopic', (c) => c.unloadTopic, { name: topic });
  }

  async describe(topic: string): Promise<TopicDescription> {
    const d = await this.rpc<object, DescribeTopicResponse>('DescribeTopic', (c) => c.describeTopic, { name: topic });
    return {
      name: d.name,
      brokerId: d.brokerId,
      dispatch: d.delivery === 'Reliable' ? 'reliable' : 'non-reliable',
      subscriptions: d.subscriptions,
      ...(d.schemaSubject !== undefined ? { schemaSubject: d.schemaSubject } : {}),
      ...(d.schemaId !== undefined ? { schemaId: d.schemaId } : {}),
      ...(d.schemaVersion !== undefined ? { schemaVersion: d.schemaVersion } : {}),
      ...(d.schemaType !== undefined ? { schemaType: d.schemaType } : {}),
      ...(d.compatibilityMode !== undefined ? { compatibilityMode: d.compatibilityMode } : {}),
    };
  }
}
