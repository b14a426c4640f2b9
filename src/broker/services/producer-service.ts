import {
  DispatchStrategy,
  type MessageResponse,
  type ProducerRequest,
  type ProducerResponse,
  type ProducerServiceServer,
  type SchemaReference,
  type StreamMessage,
} from '../../generated/danube/DanubeApi.js';
import { failedPrecondition, invalidArgument, notFound, permissionDenied, unavailable } from '../errors.js';
import type { Topic } from '../topic.js';
import { invalidTopicMessage, isValidTopicName } from '../topic-name.js';
import { topicResource } from '../rbac.js';
import { unary, type NodeContext } from './gate.js';

const NO_ATTRIBUTES: { [key: string]: string } = Object.freeze({}) as { [key: string]: string };

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

const OTHER_BROKER = 'The topic exists but is served by another broker, redo the Lookup request';

/**
 * Resolves a topic for CreateProducer/Subscribe as `broker_service.rs::get_topic`:
 * local → ok; owned elsewhere → UNAVAILABLE (redo lookup); unknown → auto-create
 * (producers only), which in a cluster also answers UNAVAILABLE.
 */
export function resolveTopic(
  ctx: NodeContext,
  name: string,
  create: { dispatch: DispatchStrategy | undefined; schemaRef?: SchemaReference } | undefined,
): Topic {
  if (!isValidTopicName(name)) throw invalidArgument(invalidTopicMessage(name));
  const state = ctx.state;
  let topic = state.topics.get(name);
  if (topic && topic.owner !== ctx.index) throw unavailable(OTHER_BROKER);
  if (!topic) {
    if (!create || !state.options.autoCreateTopics) throw notFound(`Unable to find the topic: ${name}`);
    const ds = create.dispatch;
    if (ds !== DispatchStrategy.NonReliable && ds !== DispatchStrategy.Reliable) {
      throw invalidArgument('Dispatch strategy is missing');
    }
    if (create.schemaRef?.subject && !state.schemas.hasSubject(create.schemaRef.subject)) {
      throw failedPrecondition(
        `Failed to assign schema '${create.schemaRef.subject}' to topic '${name}': schema subject not found. Ensure schema is registered first.`,
      );
    }
    // Standalone: the topic is loaded here at once. Cluster: a load manager assigns it
    // and the client must look it up again.
    const cluster = state.nodes > 1;
    topic = state.createTopic(name, ds === DispatchStrategy.Reliable, cluster ? undefined : ctx.index);
    if (create.schemaRef?.subject) topic.schemaSubject = create.schemaRef.subject;
    if (cluster) {
      throw unavailable('The topic metadata was created, need to redo the lookup to find the correct broker');
    }
    return topic;
  }
  if (create) {
    const wanted = create.dispatch === DispatchStrategy.Reliable;
    if ((create.dispatch === DispatchStrategy.NonReliable || create.dispatch === DispatchStrategy.Reliable) && wanted !== topic.reliable) {
      throw failedPrecondition('Producer requested dispatch strategy does not match topic strategy');
    }
    const subject = create.schemaRef?.subject;
    if (subject) {
      if (topic.schemaSubject && topic.schemaSubject !== subject) {
        throw failedPrecondition(`Topic '${name}' uses schema subject '${topic.schemaSubject}', cannot use '${subject}'. Only admin can change topic schema.`);
      }
      if (!topic.schemaSubject) {
        if (!state.schemas.hasSubject(subject)) {
          throw failedPrecondition(`Failed to assign schema '${subject}' to topic '${name}': schema subject not found. Ensure schema is registered first.`);
        }
        topic.schemaSubject = subject;
        state.persistence?.topicChanged(topic);
      }
    }
  }
  return topic;
}

/** `danube.ProducerService`. */
export function producerService(ctx: NodeContext): ProducerServiceServer {
  const state = ctx.state;
  return {
    createProducer: unary(
      ctx,
      'CreateProducer',
      (req: ProducerRequest): ProducerResponse => {
        const topic = resolveTopic(ctx, req.topicName, { dispatch: req.dispatchStrategy, schemaRef: req.schemaRef });
        // Idempotent by name: this is how a producer reconnects.
        const existing = topic.producers.get(req.producerName);
        if (existing && existing.active && existing.node === ctx.index) {
          return { requestId: req.requestId, producerId: existing.id, producerName: existing.name };
        }
        const producer = { id: state.newId(), name: req.producerName, topic, node: ctx.index, active: true, brokerAddr: '' };
        if (existing) state.producers.delete(existing.id);
        topic.producers.set(producer.name, producer);
        state.producers.set(producer.id, producer);
        state.logger.debug({ topic: topic.name, producer: producer.name }, 'producer created');
        return { requestId: req.requestId, producerId: producer.id, producerName: producer.name };
      },
      (req) => ['Produce', topicResource(req.topicName)],
    ),

    sendMessage: unary(
      ctx,
      'SendMessage',
      (msg: StreamMessage): MessageResponse => {
        const id = msg.msgId;
        // The real broker panics on a missing msg_id; answering a status is kinder.
        if (id === undefined) throw invalidArgument('Message ID cannot be None');
        const producer = state.producers.get(id.producerId);
        if (producer === undefined || !producer.active || producer.node !== ctx.index) {
          throw notFound(`The producer with id ${id.producerId} does not exist`);
        }
        const topic = producer.topic;
        const max = state.sizeLimit(topic);
        if (max > 0 && msg.payload.length > max) {
          throw invalidArgument(`Message size ${msg.payload.length} exceeds maximum allowed ${max} for topic ${id.topicName}`);
        }
        if (id.topicName !== topic.name) {
          throw permissionDenied(`Unable to publish the message: the producer with id ${id.producerId} is not attached to topic name: ${id.topicName}`);
        }
        if (topic.validationPolicy !== 'none') state.schemas.enforce(topic, msg);
        // Share what repeats from message to message instead of keeping a decoded copy per
        // retained message: a million retained messages is a workload the broker must hold.
        id.topicName = topic.name;
        id.producerId = producer.id;
        if (msg.producerName === producer.name) msg.producerName = producer.name;
        if (id.brokerAddr === producer.brokerAddr) id.brokerAddr = producer.brokerAddr;
        else producer.brokerAddr = id.brokerAddr;
        if (isEmpty(msg.attributes)) msg.attributes = NO_ATTRIBUTES;
        msg.subscriptionName = '';
        topic.publish(msg);
        return { requestId: msg.requestId };
      },
      (msg) => ['Produce', topicResource(msg.msgId?.topicName ?? '')],
    ),
  };
}
