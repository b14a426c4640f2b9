// Public face of the Danube client: re-exports only.
export { DanubeClient } from './client.js';
export {
  DEFAULT_CONNECTIVITY_GRACE_MS,
  type BrokerChannelState,
  type BrokerConnectivity,
  type ClientConnectivity,
} from './connectivity.js';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HEALTH_CHECK_INTERVAL_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  parseClientOptions,
  type DanubeClientOptions,
  type Pem,
  type TlsOptions,
} from './client-options.js';
export { Producer, type SendOptions } from './producer.js';
export {
  DEFAULT_DISPATCH,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_PRODUCER_MODE,
  parseProducerOptions,
  type ProducerOptions,
  type ProducerSchemaOptions,
} from './producer-options.js';
export type { SendResult } from './pending-send.js';
export { Consumer, type ConsumerState, type NackOptions } from './consumer.js';
export {
  DEFAULT_BUFFER_SIZE,
  DEFAULT_SUBSCRIPTION_TYPE,
  parseConsumerOptions,
  type ConsumerOptions,
  type SubscriptionType,
} from './consumer-options.js';
export type { DanubeMessage } from './message.js';
export {
  SchemaRegistry,
  type CompatibilityMode,
  type RegisteredSchema,
  type RegisterSchemaOptions,
  type SchemaInfo,
  type SchemaType,
  type SchemaVersionInfo,
} from './schema-registry.js';
export { unwrapSchemaDefinition } from './schema-types.js';
export {
  AbortedError,
  ClientClosedError,
  ConnectionError,
  DanubeError,
  InvalidOptionsError,
  InvalidRequestError,
  InvalidTopicError,
  MessageTooLargeError,
  PermissionDeniedError,
  SchemaError,
  TimeoutError,
  TopicNotFoundError,
  UnauthenticatedError,
  type DanubeErrorFields,
} from './errors.js';
export { fnv1a64, partitionForKey } from './fnv.js';
export { logicalTopic, partitionTopic, validateTopic } from './topic.js';
export { DEFAULT_RETRY as DEFAULT_CLIENT_RETRY, type RetryOptions as ClientRetryOptions } from './backoff.js';
export { DEFAULT_TRANSPORT } from './client-options.js';
export type { Transport } from './hot-calls.js';
