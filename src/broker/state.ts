import { randomBytes } from 'node:crypto';
import type { StreamMessage } from '../generated/danube/DanubeApi.js';
import type { Logger } from '../core/logger.js';
import type { Consumer } from './consumer.js';
import { alreadyExists, unavailable } from './errors.js';
import { mergePolicy, type ParsedBrokerOptions, type SubscriptionPolicy } from './options.js';
import type { DeadLetterInfo, Producer, Topic, TopicHost } from './topic.js';
import { Topic as TopicImpl } from './topic.js';
import { namespaceOf, partitionBase } from './topic-name.js';
import { SchemaRegistry } from './schema-registry.js';
import type { Persistence } from './persistence.js';
import { Rbac } from './rbac.js';

/** A broker's state as the admin API reports it (`broker_status`). */
export type BrokerStatus = 'active' | 'draining' | 'drained';

/**
 * What every broker of the (in-process) cluster shares, as a real cluster shares
 * its Raft metadata: namespaces, topics and their owners, subscription settings
 * and the schema registry. Producers and consumers carry the index of the broker
 * they were created on, so a broker only knows its own.
 */
export class BrokerState implements TopicHost {
  readonly namespaces: Set<string>;
  readonly topics = new Map<string, Topic>();
  readonly producers = new Map<bigint, Producer>();
  readonly consumers = new Map<bigint, Consumer>();
  readonly schemas = new SchemaRegistry();
  readonly rbac: Rbac;
  /**
   * `max_message_size` per namespace (0 = unlimited): bootstrap namespaces get the broker's
   * policy, namespaces created through the admin API get none, as in the real broker.
   */
  readonly namespaceLimits = new Map<string, number>();
  /** Each broker's id (a uint64 in decimal, as real broker ids), by broker index. */
  brokerIds: string[];
  brokerStatus: BrokerStatus[];
  /** Per-subscription settings set by admin calls or options, keyed `topic\0subscription`. */
  readonly policyOverrides = new Map<string, Partial<SubscriptionPolicy>>();
  persistence: Persistence | null = null;
  private assigned = 0;
  private dlqSeq = 0n;

  constructor(
    readonly options: ParsedBrokerOptions,
    readonly logger: Logger,
  ) {
    this.namespaces = new Set(options.namespaces);
    this.rbac = new Rbac(options.auth?.superAdmins ?? []);
    for (const ns of options.namespaces) this.namespaceLimits.set(ns, options.maxMessageSize);
    this.brokerIds = Array.from({ length: options.brokers }, () => this.newId().toString());
    this.brokerStatus = this.brokerIds.map(() => 'active');
    for (const s of options.subscriptions) {
      const { topic, subscription, ...patch } = s;
      this.policyOverrides.set(`${topic}\0${subscription}`, patch);
    }
  }

  get nodes(): number {
    return this.options.brokers;
  }

  /** A random uint64 no live producer or consumer uses. */
  newId(): bigint {
    for (;;) {
      const id = randomBytes(8).readBigUInt64BE();
      if (id !== 0n && !this.producers.has(id) && !this.consumers.has(id)) return id;
    }
  }

  policyFor(topic: string, subscription: string): SubscriptionPolicy {
    const patch = this.policyOverrides.get(`${topic}\0${subscription}`);
    return patch ? mergePolicy(this.options.dispatch, patch) : { ...this.options.dispatch };
  }

  /**
   * Creates a topic's metadata and assigns it to a broker (round-robin, like a load
   * manager spreading new topics). Checks as the real `validate_topic_creation`.
   */
  createTopic(name: string, reliable: boolean, owner?: number): Topic {
    const ns = namespaceOf(name);
    if (!this.namespaces.has(ns)) {
      throw unavailable(`Unable to find the namespace ${ns}, the topic can be created only for an exisiting namespace`);
    }
    if (this.topics.has(name)) throw alreadyExists(`Topic '${name}' already exists`);
    const base = partitionBase(name);
    if (base !== undefined && this.topics.has(base)) {
      throw alreadyExists(
        `Cannot create partitioned topic '${name}': a non-partitioned topic '${base}' already exists. Delete the non-partitioned topic first.`,
      );
    }
    if (base === undefined) {
      // Narrower than the real prefix scan on purpose: only `<name>-part-N` conflict,
      // so `/ns/orders` may coexist with `/ns/orders-dlq` (see docs/broker.md).
      const parts = this.partitionsOf(name).filter((t) => /^-part-\d+$/.test(t.slice(name.length)));
      if (parts.length > 0) {
        throw alreadyExists(
          `Cannot create topic '${name}': partitioned topics with this base name already exist (found ${parts.length} partitions). Delete the partitioned topics first.`,
        );
      }
    }
    const topic = new TopicImpl(name, reliable, owner ?? this.nextOwner(), this);
    this.topics.set(name, topic);
    this.persistence?.topicCreated(topic);
    return topic;
  }

  /**
   * The broker a new (or moved) topic goes to: round-robin over the active brokers, as a
   * load manager spreading topics, never `exclude` (the broker an unload moves away from).
   * Falls back to any broker when none is active.
   */
  nextOwner(exclude?: number): number {
    const n = this.nodes;
    for (let i = 0; i < n; i++) {
      const candidate = this.assigned++ % n;
      if (candidate !== exclude && this.brokerStatus[candidate] === 'active') return candidate;
    }
    for (let i = 0; i < n; i++) if (i !== exclude) return i;
    return 0;
  }

  /** The real broker's `Policies` of a namespace, as GetNamespacePolicies prints them. */
  namespacePolicies(ns: string): Record<string, number> {
    return {
      max_producers_per_topic: 0,
      max_subscriptions_per_topic: 0,
      max_consumers_per_topic: 0,
      max_consumers_per_subscription: 0,
      max_publish_rate: 0,
      max_subscription_dispatch_rate: 0,
      max_message_size: this.namespaceLimits.get(ns) ?? 0,
    };
  }

  /** The `max_message_size` that applies to a topic (0 = none), cached on the topic. */
  sizeLimit(topic: Topic): number {
    return (topic.sizeLimit ??= this.namespaceLimits.get(namespaceOf(topic.name)) ?? 0);
  }

  /** Broker index of a broker id, or undefined. */
  brokerIndex(id: string): number | undefined {
    const i = this.brokerIds.indexOf(id);
    return i < 0 ? undefined : i;
  }

  /**
   * `TopicPartitions`: the topic itself if it exists, else every topic whose name
   * starts with it, in lexicographic order (so `-part-10` sorts before `-part-2`).
   */
  partitionsFor(name: string): string[] {
    if (this.topics.has(name)) return [name];
    return this.partitionsOf(name);
  }

  private partitionsOf(name: string): string[] {
    const out: string[] = [];
    for (const t of this.topics.keys()) if (t.startsWith(name) && t !== name) out.push(t);
    return out.sort();
  }

  deadLetter(source: Topic, msg: StreamMessage, info: DeadLetterInfo): void {
    let target = this.topics.get(info.deadLetterTopic);
    if (!target) {
      try {
        target = this.createTopic(info.deadLetterTopic, true);
      } catch (err) {
        this.logger.warn({ err, topic: info.deadLetterTopic }, 'dead-letter topic could not be created; message dropped');
        return;
      }
    }
    const id = msg.msgId;
    const attributes: Record<string, string> = {
      ...msg.attributes,
      'x-original-topic': id?.topicName ?? source.name,
      'x-original-subscription': info.subscription,
      'x-original-topic-offset': String(id?.topicOffset ?? 0n),
      'x-original-producer-id': String(id?.producerId ?? 0n),
      'x-original-broker-addr': id?.brokerAddr ?? '',
      'x-poison-policy': 'dead_letter',
      'x-delivery-attempt': String(info.attempt),
      'x-failure-reason': info.reason,
    };
    target.publish({
      requestId: this.dlqSeq++,
      msgId: { producerId: 0n, topicName: target.name, brokerAddr: id?.brokerAddr ?? '', topicOffset: 0n },
      payload: msg.payload,
      publishTime: BigInt(Date.now()),
      producerName: `broker-replicator-${source.owner}-0`,
      subscriptionName: '',
      attributes,
    });
  }

  appended(topic: Topic, offset: number, msg: StreamMessage): void {
    this.persistence?.append(topic, offset, msg);
  }

  consumerEvicted(consumer: Consumer): void {
    // Its id is unknown from now on: HealthCheck answers CLOSE, ReceiveMessages NOT_FOUND,
    // and a Subscribe with its name joins the ring again as a new consumer.
    if (this.consumers.get(consumer.id) === consumer) this.consumers.delete(consumer.id);
  }

  cursorsMoved(topic: Topic): void {
    this.persistence?.cursorsMoved(topic);
  }
}
