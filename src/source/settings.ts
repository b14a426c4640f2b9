import { DEFAULT_CHECKPOINT_TABLE } from '../checkpoint/table.js';
import { DANUBE_ENV, envValue, needsLocalAwsCredentials, parseConnectionEnv, type ConnectionEnv } from '../core/environment.js';
import { DEFAULT_SERVICE } from './run-options.js';

/**
 * Where a source run finds Danube and its checkpoint table. The connection part may name an SSM
 * parameter or a secret that holds the token; this layer does not read AWS: pass
 * `createSourceResources` a connection whose `tokenSupplier` fetches it (the runtime adapters do).
 */
export interface SourceSettings extends ConnectionEnv {
  checkpointTable: string;
  service: string;
  dynamoDbEndpoint?: string;
  /**
   * Placeholder credentials and region for a loopback DynamoDB endpoint when the environment
   * has none (dynalite and DynamoDB Local accept any).
   */
  localAws?: boolean;
}

/**
 * Reads {@link SourceSettings} from an environment record (the caller passes `process.env` or a
 * Worker's `env`; this module reads no globals). Throws a `ConfigError` naming a variable that is
 * missing or wrong.
 *
 * @example
 * const settings = sourceSettingsFromEnv(process.env);
 */
export function sourceSettingsFromEnv(env: Record<string, unknown>): SourceSettings {
  const settings: SourceSettings = {
    ...parseConnectionEnv(env),
    checkpointTable: envValue(env, DANUBE_ENV.checkpointTable) ?? DEFAULT_CHECKPOINT_TABLE,
    service: envValue(env, DANUBE_ENV.service) ?? DEFAULT_SERVICE,
  };
  const endpoint = envValue(env, DANUBE_ENV.dynamoDbEndpoint);
  if (endpoint) settings.dynamoDbEndpoint = endpoint;
  if (needsLocalAwsCredentials(endpoint, env)) settings.localAws = true;
  return settings;
}
