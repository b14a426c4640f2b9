import {
  HealthCheckRequest_ClientType as ClientType,
  HealthCheckResponse_ClientStatus as ClientStatus,
  TopicLookupResponse_LookupType as LookupType,
  type DiscoveryServer,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type HealthCheckServer,
  type TopicLookupRequest,
  type TopicLookupResponse,
  type TopicPartitionsResponse,
} from '../../generated/danube/DanubeApi.js';
import { invalidArgument, notFound } from '../errors.js';
import { invalidTopicMessage, isValidTopicName } from '../topic-name.js';
import { topicResource } from '../rbac.js';
import { unary, type NodeContext } from './gate.js';

/** `danube.Discovery`: Connect when the topic is ours, Redirect to its owner otherwise. */
export function discoveryService(ctx: NodeContext): DiscoveryServer {
  return {
    topicLookup: unary(
      ctx,
      'TopicLookup',
      (req: TopicLookupRequest): TopicLookupResponse => {
        if (!isValidTopicName(req.topic)) throw invalidArgument(invalidTopicMessage(req.topic));
        const topic = ctx.state.topics.get(req.topic);
        if (topic === undefined) throw notFound(`Unable to find the requested topic: ${req.topic}`);
        const local = topic.owner === ctx.index;
        const url = local ? ctx.url() : ctx.urlOf(topic.owner);
        // Behind a proxy, clients connect to the proxy and name the broker in a header.
        const proxy = ctx.proxyUrl();
        return {
          requestId: req.requestId,
          responseType: local ? LookupType.Connect : LookupType.Redirect,
          connectUrl: proxy ?? url,
          brokerUrl: url,
          proxy: proxy !== undefined,
        };
      },
      (req) => ['Lookup', topicResource(req.topic)],
    ),
    topicPartitions: unary(
      ctx,
      'TopicPartitions',
      (req: TopicLookupRequest): TopicPartitionsResponse => {
        if (!isValidTopicName(req.topic)) throw invalidArgument(invalidTopicMessage(req.topic));
        return { requestId: req.requestId, partitions: ctx.state.partitionsFor(req.topic) };
      },
      (req) => ['Lookup', topicResource(req.topic)],
    ),
  };
}

/** `danube.HealthCheck`: OK while this broker knows the producer/consumer and it is active. */
export function healthService(ctx: NodeContext): HealthCheckServer {
  const state = ctx.state;
  const OK = { status: ClientStatus.OK };
  const CLOSE = { status: ClientStatus.CLOSE };
  return {
    healthCheck: unary(ctx, 'HealthCheck', (req: HealthCheckRequest): HealthCheckResponse => {
      if (req.client === ClientType.Producer) {
        const p = state.producers.get(req.id);
        return p !== undefined && p.active && p.node === ctx.index ? OK : CLOSE;
      }
      if (req.client === ClientType.Consumer) {
        const c = state.consumers.get(req.id);
        return c !== undefined && c.active && c.node === ctx.index ? OK : CLOSE;
      }
      throw invalidArgument('Invalid client type');
    }),
  };
}
