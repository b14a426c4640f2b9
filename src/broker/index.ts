// The embedded Danube-compatible broker, for local runs and tests.
export { startBroker, type Broker } from './broker.js';
export type { BrokerAdmin, SubscriptionInfo, TopicInfo } from './admin.js';
export type { Faults, RpcName } from './faults.js';
export { signBrokerToken, type DanubeClaims } from './auth.js';
export { BrokerError, BrokerOptionsError } from './errors.js';
export type { BrokerOptions, PoisonPolicy, SubscriptionPolicy } from './options.js';
