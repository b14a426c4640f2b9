import type { BindingConfig } from './config-schema.js';

/**
 * The consumer name a binding's relay subscribes with when it is fixed: exclusive and failover
 * subscriptions stay bound to their first consumer name, so every relay (and provisioning,
 * which subscribes first) must use the same one. Undefined for shared and key-shared ones.
 */
export function fixedConsumerName(b: BindingConfig): string | undefined {
  const single = b.subscription.type === 'exclusive' || b.subscription.type === 'failover';
  return b.subscription.consumerName ?? (single ? `${b.name}-relay` : undefined);
}
