// AWS Lambda adapters: a sink as a handler for the relay's batch events, a source as a handler
// for schedule events, and how a function reaches Danube from its environment.
export { lambdaSink, type LambdaSinkOptions } from './sink.js';
export { lambdaSource, type LambdaSourceHandler, type LambdaSourceOptions, type SourceInvocationEvent } from './source.js';
export type { LambdaContextLike, LambdaHandler, ScheduledEventLike } from './context.js';
export { DANUBE_ENV } from '../../core/environment.js';
export {
  danubeConnectionFromEnv,
  resolveDanubeConnection,
  type DanubeConnection,
  type DanubeConnectionFromEnvOptions,
  type DanubeConnectionSettings,
  type SecretReader,
} from '../connection.js';
