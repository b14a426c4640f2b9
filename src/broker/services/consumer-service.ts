import { status } from '@grpc/grpc-js';
import type {
  AckRequest,
  AckResponse,
  ConsumerRequest,
  ConsumerResponse,
  ConsumerServiceServer,
  NackRequest,
  NackResponse,
} from '../../generated/danube/DanubeApi.js';
import { Consumer, type MessageStream } from '../consumer.js';
import { internal, invalidArgument, notFound, permissionDenied } from '../errors.js';
import { kindOf, Subscription } from '../subscription.js';
import type { Topic } from '../topic.js';
import { CLUSTER, topicResource } from '../rbac.js';
import { gateWithFault, unary, type NodeContext } from './gate.js';
import { resolveTopic } from './producer-service.js';

/** `danube.ConsumerService`. */
export function consumerService(ctx: NodeContext): ConsumerServiceServer {
  const state = ctx.state;

  const subscriptionFor = (topicName: string, subName: string, what: string): Subscription => {
    const topic = state.topics.get(topicName);
    if (topic === undefined || topic.owner !== ctx.index) {
      throw internal(`${what}: Unable to find the topic ${topicName} on this broker`);
    }
    const sub = topic.subscriptions.get(subName);
    if (sub === undefined) throw internal(`${what}: Subscription not found`);
    return sub;
  };

  return {
    subscribe: unary(
      ctx,
      'Subscribe',
      (req: ConsumerRequest): ConsumerResponse => {
        const topic = resolveTopic(ctx, req.topicName, undefined);
        let sub = topic.subscriptions.get(req.subscription);
        const existing = sub?.findConsumer(req.consumerName);
        if (existing) {
          // Takeover by name: same id, the old stream is cancelled, dispatch resumes.
          existing.endStream(status.CANCELLED, 'consumer taken over by a new subscribe');
          existing.active = true;
          state.logger.debug({ topic: topic.name, subscription: sub!.name, consumer: existing.name }, 'consumer taken over');
          return { requestId: req.requestId, consumerId: existing.id, consumerName: existing.name };
        }
        if (sub === undefined) {
          sub = createSubscription(ctx, topic, req);
        } else if (sub.kind === 'exclusive' && sub.consumers.length > 0) {
          throw permissionDenied(
            `Not able to subscribe to the topic ${req.topicName} due to Not allowed to add the Consumer: ${req.consumerName}, the Exclusive subscription can't be shared with other consumers`,
          );
        }
        const consumer = new Consumer(state.newId(), req.consumerName, sub, ctx.index, [...req.keyFilters]);
        sub.addConsumer(consumer);
        state.consumers.set(consumer.id, consumer);
        state.logger.debug({ topic: topic.name, subscription: sub.name, consumer: consumer.name, type: sub.kind }, 'consumer subscribed');
        return { requestId: req.requestId, consumerId: consumer.id, consumerName: consumer.name };
      },
      (req) => ['Consume', topicResource(req.topicName)],
    ),

    receiveMessages: (call: MessageStream) => {
      const start = (): void => {
        const consumer = state.consumers.get(call.request.consumerId);
        if (consumer === undefined || consumer.node !== ctx.index) {
          call.emit('error', notFound(`The consumer with the id ${call.request.consumerId} does not exist`));
          return;
        }
        // A fault delay may outlive the client's patience.
        if (call.cancelled) return;
        const onGone = (): void => consumer.detach(call);
        call.on('cancelled', onGone);
        call.on('close', onGone);
        call.on('error', onGone);
        consumer.attach(call);
      };
      // The real broker checks Consume on the cluster here, not on the topic.
      const verdict = gateWithFault(ctx, 'ReceiveMessages', call.metadata, () => ['Consume', CLUSTER]);
      if (verdict === undefined) start();
      else if (typeof verdict === 'number') setTimeout(start, verdict).unref();
      else setTimeout(() => call.emit('error', verdict.error), verdict.delayMs).unref();
    },

    ack: unary(
      ctx,
      'Ack',
      (req: AckRequest): AckResponse => {
        if (req.msgId === undefined) throw invalidArgument('Message ID cannot be None');
        const sub = subscriptionFor(req.msgId.topicName, req.subscriptionName, 'Error acknowledging message');
        sub.dispatcher.ack(Number(req.msgId.topicOffset));
        return { requestId: req.requestId };
      },
      () => ['Consume', CLUSTER],
    ),

    nack: unary(
      ctx,
      'Nack',
      (req: NackRequest): NackResponse => {
        if (req.msgId === undefined) throw invalidArgument('Message ID cannot be None');
        const sub = subscriptionFor(req.msgId.topicName, req.subscriptionName, 'Error negatively acknowledging message');
        const delay = req.delayMs === undefined ? undefined : Number(req.delayMs);
        sub.dispatcher.nack(Number(req.msgId.topicOffset), delay, req.reason);
        return { requestId: req.requestId };
      },
      () => ['Consume', CLUSTER],
    ),
  };
}

function createSubscription(ctx: NodeContext, topic: Topic, req: ConsumerRequest): Subscription {
  const policy = ctx.state.policyFor(topic.name, req.subscription);
  const sub = new Subscription(req.subscription, kindOf(req.subscriptionType), topic, policy);
  topic.addSubscription(sub);
  ctx.state.persistence?.topicChanged(topic);
  return sub;
}
