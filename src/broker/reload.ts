import type { BrokerState } from './state.js';
import { Subscription } from './subscription.js';
import { Topic, type TopicHost } from './topic.js';

/**
 * A fresh copy of a topic's durable part, as a broker loads it: retained messages,
 * subscriptions with their cursors, schema settings. Producers, consumers and
 * in-flight deliveries are not carried: unacked messages are delivered again from
 * the cursor.
 */
export function reloadTopic(old: Topic, host: TopicHost, owner = old.owner): Topic {
  const first = old.log?.firstOffset ?? 0;
  const t = new Topic(old.name, old.reliable, owner, host, first);
  t.schemaSubject = old.schemaSubject;
  t.validationPolicy = old.validationPolicy;
  t.enablePayloadValidation = old.enablePayloadValidation;
  t.published = old.published;
  if (old.log && t.log) {
    for (let o = first; o < old.log.next; o++) {
      const m = old.log.get(o);
      if (m) t.log.restore(o, m);
    }
    if (t.log.size === 0) t.log.resetTo(old.log.next);
    else if (t.log.next < old.log.next) t.log.next = old.log.next;
  }
  for (const sub of old.subscriptions.values()) {
    const cursor = (sub.dispatcher as { cursor?: number }).cursor;
    t.addSubscription(new Subscription(sub.name, sub.kind, t, { ...sub.policy }, cursor));
  }
  return t;
}

/** Carries the durable state into a fresh one (restart without `dataDir`). */
export function reloadTopics(from: BrokerState, to: BrokerState): void {
  for (const ns of from.namespaces) to.namespaces.add(ns);
  for (const [ns, limit] of from.namespaceLimits) to.namespaceLimits.set(ns, limit);
  to.rbac.restore(from.rbac.snapshot());
  for (const [k, v] of from.policyOverrides) to.policyOverrides.set(k, v);
  to.schemas.copyFrom(from.schemas);
  for (const old of from.topics.values()) to.topics.set(old.name, reloadTopic(old, to));
}
