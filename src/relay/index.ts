// The relay: consumes Danube topics and invokes a sink function per batch.
export { startRelay, type Relay, type RelayStatus, type StartRelayOptions } from './relay.js';
export { parseRelayConfig, type ParsedRelayConfig, type ParseRelayConfigOptions } from './parse-config.js';
export type {
  BindingConfig,
  BindingInput,
  FilterConfig,
  FunctionConfig,
  RelayConfig,
  RelayConfigInput,
  RetryBackoff,
  SubscriptionConfig,
} from './config-schema.js';
export { InvokeError, RelayConfigError, type InvokeFailureReason } from './errors.js';
export type { BindingStatus, NotReadyReason, RelayReadiness } from './binding-status.js';
export type { InvokeBatch, InvokeResult, Invoker } from './invokers/types.js';
export { createHttpInvoker, type HttpInvokerOptions } from './invokers/http.js';
export { createLambdaInvoker, type LambdaInvokerOptions } from './invokers/lambda.js';
export { createLocalInvoker, type LocalInvokerOptions } from './invokers/local.js';
export type { RelayClient, RelayConsumer, RelayDelivery, RelayProducer, RelaySubscribeOptions } from './ports.js';
