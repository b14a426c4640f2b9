// The Danube client: producers, consumers, the schema registry and the errors they raise.
export { DanubeClient } from './client.js';
export type { BrokerChannelState, BrokerConnectivity, ClientConnectivity } from './connectivity.js';
export type { DanubeClientOptions, Pem, TlsOptions } from './client-options.js';
export { Producer, type SendOptions } from './producer.js';
export type { ProducerOptions, ProducerSchemaOptions } from './producer-options.js';
export type { SendResult } from './pending-send.js';
export { Consumer, type ConsumerState, type NackOptions } from './consumer.js';
export type { ConsumerOptions, SubscriptionType } from './consumer-options.js';
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
export type { RetryOptions as ClientRetryOptions } from './backoff.js';
export type { Transport } from './hot-calls.js';
