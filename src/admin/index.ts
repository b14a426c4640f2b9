// The admin client: public face, re-exports only.
export { DanubeAdmin } from './client.js';
export { DEFAULT_ADMIN_TIMEOUT_MS, DEFAULT_ADMIN_URL, parseAdminOptions, type AdminPem, type DanubeAdminOptions } from './options.js';
export { AdminAuthError, AdminError, AdminOptionsError, AdminUnavailableError, AdminUnsupportedError, type AdminErrorFields } from './errors.js';
export { BrokersAdmin } from './brokers.js';
export { NamespacesAdmin } from './namespaces.js';
export { TopicsAdmin, type CreateTopicOptions } from './topics.js';
export { SubscriptionsAdmin } from './subscriptions.js';
export { SchemasAdmin, type RegisterSchemaInput, type TopicSchemaSettings } from './schemas.js';
export { SecurityAdmin } from './security.js';
export {
  DEFAULT_FAILURE_POLICY,
  DEFAULT_MAX_UNACKED_MESSAGES,
  type AdminPermission,
  type BindingDefinition,
  type BrokerSummary,
  type ClusterBalance,
  type Dispatch,
  type FailurePolicy,
  type PoisonPolicy,
  type RoleDefinition,
  type TopicDescription,
  type TopicSummary,
  type UnloadBrokerOptions,
  type UnloadBrokerResult,
} from './types.js';
