// The Topics panel: every topic of the broker through its admin API (partitions, dispatch,
// subscriptions), backlogs where the broker can tell them, and peeks at what the tail kept.
import type { DanubeAdmin } from '../admin/client.js';
import type { Broker } from '../broker/index.js';
import type { TopicAccess } from './backend.js';
import { baseTopic } from './graph.js';
import { HttpError } from './http.js';
import type { TopicTail } from './tail.js';
import type { TopicSubscriptionView, TopicView } from './types.js';

/** How many topics the panel lists at most (a busy cluster has thousands). */
export const MAX_LISTED_TOPICS = 200;

export interface TopicAccessDeps {
  admin: Pick<DanubeAdmin, 'namespaces' | 'topics' | 'subscriptions'>;
  /** The embedded broker, in this process: it also tells backlogs and message counts. */
  broker?: Broker;
  tail?: TopicTail;
  /** What the pipeline does with each logical topic (`source example-orders publishes`, ...). */
  roles: () => ReadonlyMap<string, string[]>;
  /** A subscription's backlog as the relay sees it, when the broker cannot tell. */
  relayBacklog?: (topic: string, subscription: string) => number | undefined;
}

/**
 * Topics through the admin API.
 *
 * @example
 * const topics = adminTopicAccess({ admin, roles: () => new Map() });
 * await topics.list();
 */
export function adminTopicAccess(deps: TopicAccessDeps): TopicAccess {
  return {
    async list() {
      const namespaces = await deps.admin.namespaces.list();
      const views = new Map<string, TopicView>();
      const roles = deps.roles();
      for (const ns of namespaces) {
        for (const t of await deps.admin.topics.list(ns)) {
          const name = baseTopic(t.name);
          let view = views.get(name);
          if (!view) {
            if (views.size >= MAX_LISTED_TOPICS) break;
            view = { name, partitions: [], dispatch: t.dispatch, subscriptions: [], roles: roles.get(name) ?? [] };
            views.set(name, view);
          }
          view.partitions.push(t.name);
        }
      }
      await Promise.all([...views.values()].map((v) => describe(v, deps)));
      return [...views.values()].sort((a, b) => (b.roles.length ? 1 : 0) - (a.roles.length ? 1 : 0) || a.name.localeCompare(b.name));
    },
    async peek(topic, limit) {
      const found = deps.tail?.recent(baseTopic(topic), limit);
      if (!found) {
        throw new HttpError(
          404,
          `${topic} is not followed: the console keeps the recent messages of the pipeline's topics from its start (Danube has no call that reads past messages)`,
        );
      }
      return found;
    },
  };
}

async function describe(view: TopicView, deps: TopicAccessDeps): Promise<void> {
  view.partitions.sort((a, b) => partitionIndex(a) - partitionIndex(b));
  const subs = new Map<string, TopicSubscriptionView>();
  let known = true;
  let backlog = 0;
  let published = 0;
  for (const partition of view.partitions) {
    const local = deps.broker?.admin.describeTopic(partition);
    if (local) {
      published += local.published;
      for (const s of local.subscriptions) {
        const sub = subs.get(s.name) ?? { name: s.name, type: s.type, consumers: 0, backlog: 0 };
        sub.consumers = (sub.consumers ?? 0) + s.consumers.filter((c) => c.connected).length;
        sub.backlog = (sub.backlog ?? 0) + s.backlog;
        backlog += s.backlog;
        subs.set(s.name, sub);
      }
      continue;
    }
    known = false;
    for (const name of await deps.admin.subscriptions.list(partition).catch(() => [] as string[])) {
      if (!subs.has(name)) subs.set(name, { name });
    }
  }
  if (!known) {
    // A real broker does not report backlogs; the relay knows its own subscriptions' share.
    for (const sub of subs.values()) {
      const fromRelay = deps.relayBacklog?.(view.name, sub.name);
      if (fromRelay !== undefined) sub.backlog = fromRelay;
    }
  }
  view.subscriptions = [...subs.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (known) {
    view.backlog = backlog;
    view.published = published;
  }
}

function partitionIndex(topic: string): number {
  const m = /-part-(\d+)$/.exec(topic);
  return m ? Number(m[1]) : -1;
}
