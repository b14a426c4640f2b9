import type { BrokerAdmin } from '../admin.js';
import type { NodeContext } from '../services/gate.js';

/** What an admin service handler knows: its broker, the cluster's URLs, and the admin operations. */
export interface AdminContext extends NodeContext {
  /** Admin URL (`http://host:port`) of broker `index`. */
  adminUrlOf(index: number): string;
  /** Operations on the cluster's shared state (the in-process admin). */
  readonly admin: BrokerAdmin;
}

/** The real broker runs standalone with one broker; unload and rebalancing need a cluster. */
export function isStandalone(ctx: AdminContext): boolean {
  return ctx.state.nodes === 1;
}

/** `"Reliable"` / `"NonReliable"`, as TopicInfo and DescribeTopic spell a topic's delivery. */
export function deliveryOf(ctx: AdminContext, topic: string): string {
  return ctx.state.topics.get(topic)?.reliable ? 'Reliable' : 'NonReliable';
}
