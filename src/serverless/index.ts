// The Serverless Framework integration's public face: re-exports only.
export { DanubeServerlessPlugin, type ServerlessLike } from './plugin.js';
export { parseDanubeServiceOptions, ServerlessConfigError, type DanubeServiceOptions, type DanubeServiceOptionsInput } from './options.js';
export { buildRelayConfig, findDanubeEvents, defaultBindingName, type ServiceFunction } from './bindings.js';
export { danubeEventJsonSchema } from './event-schema.js';
export { ENV as DANUBE_ENV, connectionEnvironment } from './environment.js';
export { SOURCE_TABLE_ACTIONS } from './iam.js';
export { functionAccess } from './service-model.js';
export { loadServiceFile, type ServiceFile, type LoadServiceFileOptions } from './service-file.js';
export { runRelayForBudget, type BudgetedRelayOptions, type BudgetedRelaySummary } from './relay-run.js';
export {
  provisionBindings,
  parseProvisionOptions,
  adminUrlFor,
  ProvisionError,
  DEFAULT_PROVISION_OPTIONS,
  type ProvisionOptions,
  type ProvisionReport,
  type ProvisionedTopic,
  type ProvisionedSubscription,
  type ProvisionClient,
} from './provision.js';
export { handleProvisionResource, type ProvisionResourceEvent, type ProvisionResourceDeps } from './provision-resource.js';
