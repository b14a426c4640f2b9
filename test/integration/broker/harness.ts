// Drives the embedded broker over real gRPC with the generated stubs (never our client).
import { credentials, Metadata, type ChannelCredentials, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import {
  ConsumerRequest_SubscriptionType,
  ConsumerServiceClient,
  DiscoveryClient,
  DispatchStrategy,
  HealthCheckClient,
  ProducerAccessMode,
  ProducerServiceClient,
  StreamMessage,
} from '../../../src/generated/danube/DanubeApi.js';
import { SchemaRegistryClient } from '../../../src/generated/danube/SchemaRegistry.js';

export { ConsumerRequest_SubscriptionType as SubType, DispatchStrategy };

type Callback<R> = (err: ServiceError | null, res: R) => void;
type Method<Q, R> = (req: Q, md: Metadata, cb: Callback<R>) => unknown;

/** Promisifies one unary stub method. */
function call<Q, R>(client: object, method: Method<Q, R>, req: Q, md: Metadata): Promise<R> {
  return new Promise((resolve, reject) => method.call(client, req, md, (err, res) => (err ? reject(err) : resolve(res))));
}

export class Wire {
  readonly producer: ProducerServiceClient;
  readonly consumer: ConsumerServiceClient;
  readonly discovery: DiscoveryClient;
  readonly health: HealthCheckClient;
  readonly schema: SchemaRegistryClient;
  md = new Metadata();
  private rid = 1n;

  constructor(url: string, creds: ChannelCredentials = credentials.createInsecure(), options: Record<string, unknown> = {}) {
    const target = url.replace(/^https?:\/\//, '');
    this.producer = new ProducerServiceClient(target, creds, options);
    this.consumer = new ConsumerServiceClient(target, creds, options);
    this.discovery = new DiscoveryClient(target, creds, options);
    this.health = new HealthCheckClient(target, creds, options);
    this.schema = new SchemaRegistryClient(target, creds, options);
  }

  withToken(token: string): this {
    this.md = new Metadata();
    this.md.set('authorization', `Bearer ${token}`);
    return this;
  }

  lookup(topic: string) {
    return call(this.discovery, this.discovery.topicLookup as never, { requestId: this.rid++, topic }, this.md) as Promise<
      import('../../../src/generated/danube/DanubeApi.js').TopicLookupResponse
    >;
  }
  partitions(topic: string) {
    return call(this.discovery, this.discovery.topicPartitions as never, { requestId: this.rid++, topic }, this.md) as Promise<{ partitions: string[] }>;
  }
  async createProducer(topic: string, name: string, reliable = false, extra: Record<string, unknown> = {}): Promise<bigint> {
    const res = (await call(
      this.producer,
      this.producer.createProducer as never,
      {
        requestId: this.rid++,
        producerName: name,
        topicName: topic,
        producerAccessMode: ProducerAccessMode.Shared,
        dispatchStrategy: reliable ? DispatchStrategy.Reliable : DispatchStrategy.NonReliable,
        ...extra,
      },
      this.md,
    )) as { producerId: bigint };
    return res.producerId;
  }
  send(producerId: bigint, topic: string, payload: string | Buffer, extra: Partial<StreamMessage> = {}) {
    const msg: StreamMessage = {
      requestId: this.rid++,
      msgId: { producerId, topicName: topic, brokerAddr: '', topicOffset: 0n },
      payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
      publishTime: BigInt(Date.now()),
      producerName: 'p',
      subscriptionName: '',
      attributes: {},
      ...extra,
    };
    return call(this.producer, this.producer.sendMessage as never, msg, this.md) as Promise<{ requestId: bigint }>;
  }
  rawSend(msg: Partial<StreamMessage>) {
    return call(this.producer, this.producer.sendMessage as never, StreamMessage.fromPartial(msg), this.md);
  }
  async subscribe(
    topic: string,
    subscription: string,
    consumerName: string,
    type = ConsumerRequest_SubscriptionType.Exclusive,
    keyFilters: string[] = [],
  ): Promise<bigint> {
    const res = (await call(
      this.consumer,
      this.consumer.subscribe as never,
      {
        requestId: this.rid++,
        topicName: topic,
        consumerName,
        subscription,
        subscriptionType: type,
        keyFilters,
      },
      this.md,
    )) as { consumerId: bigint };
    return res.consumerId;
  }
  receive(consumerId: bigint): Receiver {
    return new Receiver(this.consumer.receiveMessages({ requestId: this.rid++, consumerId }, this.md));
  }
  ack(msg: StreamMessage, subscription: string) {
    return call(this.consumer, this.consumer.ack as never, { requestId: msg.requestId, msgId: msg.msgId, subscriptionName: subscription }, this.md);
  }
  nack(msg: StreamMessage, subscription: string, delayMs?: bigint, reason?: string) {
    return call(
      this.consumer,
      this.consumer.nack as never,
      { requestId: msg.requestId, msgId: msg.msgId, subscriptionName: subscription, delayMs, reason },
      this.md,
    );
  }
  healthCheck(client: 0 | 1 | number, id: bigint) {
    return call(this.health, this.health.healthCheck as never, { requestId: this.rid++, client, id }, this.md) as Promise<{ status: number }>;
  }
  close(): void {
    for (const c of [this.producer, this.consumer, this.discovery, this.health, this.schema]) c.close();
  }
}

/** Collects a ReceiveMessages stream into an array; `next()` awaits the next message. */
export class Receiver {
  readonly messages: StreamMessage[] = [];
  error: ServiceError | undefined;
  ended = false;
  private waiters: Array<() => void> = [];
  constructor(readonly stream: ClientReadableStream<StreamMessage>) {
    stream.on('data', (m: StreamMessage) => {
      this.messages.push(m);
      this.wake();
    });
    stream.on('error', (e: ServiceError) => {
      this.error = e;
      this.ended = true;
      this.wake();
    });
    stream.on('end', () => {
      this.ended = true;
      this.wake();
    });
  }
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  /** Resolves once `count` messages arrived (or rejects after `timeoutMs`). */
  async waitFor(count: number, timeoutMs = 5000): Promise<StreamMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (this.ended) throw new Error(`stream ended after ${this.messages.length} messages: ${this.error?.message ?? ''}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out with ${this.messages.length}/${count} messages`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.messages.slice(0, count);
  }
  async waitEnd(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('stream did not end');
      await sleep(10);
    }
  }
  cancel(): void {
    this.stream.cancel();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const text = (m: StreamMessage) => Buffer.from(m.payload).toString();
