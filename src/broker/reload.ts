import type { BrokerState } from './state.js';
import { Subscription } from './subscription.js';
import { Topic } from './topic.js';

/**
 * Carries the durable part of one broker state into a fresh one (restart without
 * `dataDir`): namespaces, topics, subscriptions with their cursors, retained
 * messages, schemas and policies. Producers, consumers and in-flight deliveries
 * are not carried: unacked messages are delivered again from the cursor.
 */
export function reloadTopics(from: BrokerState, to: BrokerState): void {
  for (const ns of from.namespaces) to.namespaces.add(ns);
  for (const [k, v] of from.policyOverrides) to.policyOverrides.set(k, v);
  to.schemas.copyFrom(from.schemas);
  for (const old of from.topics.values()) {
    const first = old.log?.firstOffset ?? 0;
    const t = new Topic(old.name, old.reliable, old.owner, to, first);
    t.schemaSubject = old.schemaSubject;
    t.validationPolicy = old.validationPolicy;
    t.enablePayloadValidation = old.enablePayloadValidation;
    if (old.log && t.log) {
      for (let o = first; o < old.log.next; o++) {
        const m = old.log.get(o);
        if (m) t.log.restore(o, m);
      }
      if (t.log.next < old.log.next) t.log.next = old.log.next;
    }
    for (const sub of old.subscriptions.values()) {
      const cursor = (sub.dispatcher as { cursor?: number }).cursor;
      t.addSubscription(new Subscription(sub.name, sub.kind, t, { ...sub.policy }, cursor));
    }
    to.topics.set(t.name, t);
  }
}
