import { status } from '@grpc/grpc-js';
import { BrokerError } from './errors.js';
import { mergePolicy, parseSubscriptionPolicy, type SubscriptionPolicy } from './options.js';
import type { BrokerState } from './state.js';
import type { SubscriptionKind } from './subscription.js';
import { reloadTopic } from './reload.js';
import type { Topic } from './topic.js';
import { isValidTopicName, partitionName } from './topic-name.js';

export interface SubscriptionInfo {
  name: string;
  type: SubscriptionKind;
  consumers: Array<{ id: bigint; name: string; connected: boolean }>;
  /** Reliable only: messages not yet acked (0 for non-reliable). */
  backlog: number;
  /** Reliable only: messages counted against `maxUnackedMessages`. */
  unacked: number;
  policy: SubscriptionPolicy;
}

export interface TopicInfo {
  name: string;
  dispatch: 'reliable' | 'non-reliable';
  broker: number;
  producers: string[];
  published: number;
  /** Reliable only: messages held in memory. */
  retained: number;
  nextOffset: number;
  schemaSubject?: string;
  subscriptions: SubscriptionInfo[];
}

/**
 * What Danube's admin tool does, as plain calls on the embedded broker.
 *
 * @example
 * broker.admin.setSubscriptionPolicy('/default/orders', 'orders-pg', { maxUnackedMessages: 100, ackTimeoutMs: 5000 });
 */
export class BrokerAdmin {
  constructor(private readonly state: BrokerState) {}

  createNamespace(name: string): void {
    if (this.state.namespaces.has(name)) throw new BrokerError(`Namespace ${name} already exists.`);
    this.state.namespaces.add(name);
    // Namespaces created at run time get the real broker's empty policies: no size limit.
    this.state.namespaceLimits.set(name, 0);
    this.state.persistence?.topicChanged(null);
  }

  /** Deletes an empty namespace. */
  deleteNamespace(name: string): void {
    if (!this.state.namespaces.has(name)) throw new BrokerError(`Namespace ${name} does not exists.`);
    if (this.listTopics(name).length > 0) throw new BrokerError(`Can't delete and non empty namespace: ${name}`);
    this.state.namespaces.delete(name);
    this.state.namespaceLimits.delete(name);
    this.state.persistence?.topicChanged(null);
  }

  listNamespaces(): string[] {
    return [...this.state.namespaces].sort();
  }

  /** Creates a topic, or `partitions` topics `<topic>-part-N`. Returns the created names. */
  createTopic(topic: string, options: { partitions?: number; dispatch?: 'reliable' | 'non-reliable' } = {}): string[] {
    if (!isValidTopicName(topic)) throw new BrokerError(`invalid topic name ${topic}`);
    const reliable = options.dispatch === 'reliable';
    const names = options.partitions ? Array.from({ length: options.partitions }, (_, i) => partitionName(topic, i)) : [topic];
    for (const n of names) {
      try {
        this.state.createTopic(n, reliable);
      } catch (err) {
        throw new BrokerError(err instanceof Error ? err.message : String(err), { cause: err });
      }
    }
    return names;
  }

  /**
   * Deletes a topic, or every partition of a partitioned one, with its messages and
   * subscriptions. Its producers and consumers become unknown (HealthCheck CLOSE) and
   * their streams end. Returns the deleted names.
   */
  deleteTopic(topic: string): string[] {
    const names = this.state.topics.has(topic) ? [topic] : this.state.partitionsFor(topic).filter((t) => /-part-\d+$/.test(t));
    for (const name of names) {
      const t = this.state.topics.get(name)!;
      this.forgetSessions(t, status.NOT_FOUND, `topic ${name} was deleted`);
      t.close();
      this.state.topics.delete(name);
      this.state.persistence?.topicDeleted(t);
    }
    return names;
  }

  /**
   * Moves a topic to another broker of the cluster (default: the next one), as an
   * unload does: its producers and consumers are forgotten (HealthCheck CLOSE, streams
   * end with UNAVAILABLE), lookups now point at the new owner, and subscriptions,
   * cursors and unacked messages carry over. Returns the new owner's index.
   */
  moveTopic(topic: string, toBroker?: number): number {
    const t = this.state.topics.get(topic);
    if (!t) throw new BrokerError(`Unable to find the topic: ${topic}`);
    const owner = toBroker ?? (t.owner + 1) % this.state.nodes;
    if (!Number.isInteger(owner) || owner < 0 || owner >= this.state.nodes) throw new BrokerError(`no broker ${owner} in this cluster`);
    this.forgetSessions(t, status.UNAVAILABLE, `topic ${topic} moved to another broker`);
    t.close();
    const moved = reloadTopic(t, this.state, owner);
    this.state.topics.set(topic, moved);
    this.state.persistence?.topicMoved(t, moved);
    return owner;
  }

  private forgetSessions(t: Topic, code: status, why: string): void {
    for (const sub of t.subscriptions.values()) {
      for (const c of sub.consumers) {
        c.endStream(code, why);
        this.state.consumers.delete(c.id);
      }
    }
    for (const p of t.producers.values()) {
      p.active = false;
      this.state.producers.delete(p.id);
    }
  }

  listTopics(namespace?: string): string[] {
    const all = [...this.state.topics.keys()].sort();
    return namespace ? all.filter((t) => t.startsWith(`/${namespace}/`)) : all;
  }

  describeTopic(topic: string): TopicInfo | undefined {
    const t = this.state.topics.get(topic);
    if (!t) return undefined;
    return {
      name: t.name,
      dispatch: t.reliable ? 'reliable' : 'non-reliable',
      broker: t.owner,
      producers: [...t.producers.values()].filter((p) => p.active).map((p) => p.name),
      published: t.published,
      retained: t.log?.size ?? 0,
      nextOffset: t.log?.next ?? 0,
      schemaSubject: t.schemaSubject,
      subscriptions: [...t.subscriptions.values()].map((s) => {
        const d = s.dispatcher as { backlog?: number; unacked?: number };
        return {
          name: s.name,
          type: s.kind,
          consumers: s.consumers.map((c) => ({ id: c.id, name: c.name, connected: c.attached })),
          backlog: d.backlog ?? 0,
          unacked: d.unacked ?? 0,
          policy: { ...s.policy },
        };
      }),
    };
  }

  /**
   * Sets `max_unacked_messages` and the failure policy of a subscription (as
   * `SetSubscriptionDispatchConfig` + `SetSubscriptionFailurePolicy`). Applies at
   * once to a live subscription and to one created later.
   */
  setSubscriptionPolicy(topic: string, subscription: string, patch: Partial<SubscriptionPolicy>): SubscriptionPolicy {
    const parsed = parseSubscriptionPolicy(patch);
    const key = `${topic}\0${subscription}`;
    const merged = { ...this.state.policyOverrides.get(key), ...parsed };
    const policy = mergePolicy(this.state.options.dispatch, merged);
    this.state.policyOverrides.set(key, merged);
    const t = this.state.topics.get(topic);
    t?.subscriptions.get(subscription)?.setPolicy(policy);
    if (t) this.state.persistence?.topicChanged(t);
    return policy;
  }

  /**
   * Replaces the whole failure policy of a subscription (`SetSubscriptionFailurePolicy`),
   * keeping its `maxUnackedMessages`: a field left out goes back to the broker default.
   */
  replaceFailurePolicy(topic: string, subscription: string, policy: Omit<SubscriptionPolicy, 'maxUnackedMessages'>): SubscriptionPolicy {
    const key = `${topic}\0${subscription}`;
    const kept = this.state.policyOverrides.get(key)?.maxUnackedMessages;
    this.state.policyOverrides.set(key, kept === undefined ? {} : { maxUnackedMessages: kept });
    const patch = Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)) as Partial<SubscriptionPolicy>;
    return this.setSubscriptionPolicy(topic, subscription, patch);
  }

  /** The settings set explicitly for a subscription (admin calls or options), not the defaults. */
  explicitPolicy(topic: string, subscription: string): Partial<SubscriptionPolicy> {
    return { ...this.state.policyOverrides.get(`${topic}\0${subscription}`) };
  }

  getSubscriptionPolicy(topic: string, subscription: string): SubscriptionPolicy {
    const live = this.state.topics.get(topic)?.subscriptions.get(subscription);
    return live ? { ...live.policy } : this.state.policyFor(topic, subscription);
  }

  /** Deletes a subscription (its consumers' streams end; their ids become unknown). */
  unsubscribe(topic: string, subscription: string): void {
    const t = this.state.topics.get(topic);
    const sub = t?.subscriptions.get(subscription);
    if (!t || !sub) return;
    for (const c of [...sub.consumers]) {
      c.endStream(status.CANCELLED, 'subscription deleted');
      this.state.consumers.delete(c.id);
    }
    t.removeSubscription(subscription);
    this.state.persistence?.topicChanged(t);
  }
}
