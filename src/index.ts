// The package's public face: re-exports only.
export * from './core/index.js';
export * from './checkpoint/index.js';
export * from './source/index.js';
export * from './sink/index.js';
export * from './broker/index.js';
export * from './client/index.js';
export { DanubeAdmin, AdminError, AdminAuthError, AdminUnavailableError, AdminUnsupportedError, AdminOptionsError, type DanubeAdminOptions } from './admin/index.js';
export * from './relay/index.js';
export * from './runtime/lambda/index.js';
export * from './runtime/cloudflare/index.js';
export {
  postgresCdcSource, postgresPollSource, postgresSink, parsePostgresCdcOptions, parsePostgresPollOptions, parsePostgresSinkOptions,
  UNCHANGED_TOAST, type ChangeEvent, type CdcCheckpoint, type PollCheckpoint, type ColumnMapping, type PostgresCdcSourceOptions,
  type PostgresPollSourceOptions, type PostgresSinkConfig, type PostgresCdcSource, type PostgresPollSource, type PostgresSink,
} from './connectors/postgres/index.js';
export {
  httpPollerSource, HttpPoller, parseHttpPollerOptions, type HttpPollerOptions, type HttpPollerCheckpoint,
} from './connectors/http-poller/index.js';
export {
  WebhookReceiver, webhookFetchHandler, webhookLambdaHandler, producerPublisher, parseWebhookOptions,
  type WebhookOptions, type WebhookPublisher, type WebhookRequest, type WebhookResponse,
} from './connectors/webhook/index.js';
export { mqttSource, runMqttSource, MqttSourceError, parseMqttSourceOptions, type MqttSourceOptions, type MqttRunSummary } from './connectors/mqtt/index.js';
export { httpSink, parseHttpSinkOptions, type HttpSinkOptions } from './connectors/http-sink/index.js';
export { dynamoDbSink, parseDynamoDbSinkOptions, type DynamoDbSinkOptions } from './connectors/dynamodb-sink/index.js';
export {
  bridgeSink, parseBridgeOptions, wouldLoop, BRIDGE_ORIGIN_CLUSTER, BRIDGE_ORIGIN_TOPIC, BRIDGE_ORIGIN_OFFSET, BRIDGE_PATH,
  type BridgeOptions, type BridgeStats,
} from './connectors/bridge/index.js';
export * from './serverless/index.js';
