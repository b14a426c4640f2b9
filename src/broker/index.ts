// The embedded Danube-compatible broker: public face, re-exports only.
export { startBroker, type Broker } from './broker.js';
export { BrokerAdmin, type SubscriptionInfo, type TopicInfo } from './admin.js';
export { Faults, type RpcName } from './faults.js';
export { signBrokerToken, type DanubeClaims } from './auth.js';
export { BrokerError, BrokerOptionsError } from './errors.js';
export {
  DEFAULT_SUBSCRIPTION_POLICY,
  DEFAULT_BROKER_HOST,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_FSYNC_INTERVAL_MS,
  DEFAULT_ADMIN_PORT,
  parseBrokerOptions,
  type BrokerOptions,
  type SubscriptionPolicy,
  type PoisonPolicy,
} from './options.js';
