import { DEFAULT_CHECKPOINT_TABLE } from '../checkpoint/table.js';
import { ConfigError } from '../core/errors.js';
import { DEFAULT_SERVICE } from './run-options.js';

/** Environment variables a deployed source reads (set by the Danube Serverless plugin). */
export const SOURCE_ENV = Object.freeze({
  serviceUrl: 'DANUBE_SERVICE_URL',
  /** Plain token: local runs and tests. */
  token: 'DANUBE_TOKEN',
  /** Where a deployed function's token is stored; fetched by the runtime adapters (`src/runtime/connection.ts`). */
  tokenSsmParameter: 'DANUBE_TOKEN_SSM_PARAMETER',
  tokenSecretId: 'DANUBE_TOKEN_SECRET_ID',
  tlsCa: 'DANUBE_TLS_CA',
  checkpointTable: 'DANUBE_CHECKPOINT_TABLE',
  /** First part of checkpoint ids (`<service>/<source>`). */
  service: 'DANUBE_SERVICE',
  /** The AWS SDK's own variable for a DynamoDB endpoint (dynalite, DynamoDB Local). */
  dynamoDbEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
});

/** Where a source run finds Danube and its checkpoint table. */
export interface SourceSettings {
  serviceUrl: string;
  token?: string;
  /**
   * Name of the SSM parameter or Secrets Manager secret that holds the token, when no plain token
   * is given. This layer does not read AWS: pass `createSourceResources` a connection whose
   * `tokenSupplier` fetches it (the runtime adapters do).
   */
  tokenSsmParameter?: string;
  tokenSecretId?: string;
  tlsCa?: string;
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
 * Worker's `env`; this module reads no globals).
 *
 * @example
 * const settings = sourceSettingsFromEnv(process.env);
 */
export function sourceSettingsFromEnv(env: Record<string, unknown>): SourceSettings {
  const get = (name: string): string | undefined => {
    const v = env[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const serviceUrl = get(SOURCE_ENV.serviceUrl);
  if (!serviceUrl) throw new ConfigError(`${SOURCE_ENV.serviceUrl} is not set: where is the Danube broker?`, [SOURCE_ENV.serviceUrl]);
  const settings: SourceSettings = {
    serviceUrl,
    checkpointTable: get(SOURCE_ENV.checkpointTable) ?? DEFAULT_CHECKPOINT_TABLE,
    service: get(SOURCE_ENV.service) ?? DEFAULT_SERVICE,
  };
  const token = get(SOURCE_ENV.token);
  if (token) settings.token = token;
  else {
    const ssm = get(SOURCE_ENV.tokenSsmParameter);
    const secretId = get(SOURCE_ENV.tokenSecretId);
    if (ssm) settings.tokenSsmParameter = ssm;
    if (secretId) settings.tokenSecretId = secretId;
  }
  const ca = get(SOURCE_ENV.tlsCa);
  if (ca) settings.tlsCa = ca;
  const endpoint = get(SOURCE_ENV.dynamoDbEndpoint);
  if (endpoint) settings.dynamoDbEndpoint = endpoint;
  if (needsLocalAwsCredentials(endpoint, env)) settings.localAws = true;
  return settings;
}

/**
 * True for a loopback DynamoDB endpoint (dynalite, DynamoDB Local) when the environment holds no
 * AWS credentials: such servers accept any, and the SDK would refuse to sign without some.
 */
export function needsLocalAwsCredentials(endpoint: string | undefined, env: Record<string, unknown>): boolean {
  const loopback = endpoint !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(endpoint);
  const given = ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE'];
  return loopback && !given.some((name) => typeof env[name] === 'string' && env[name] !== '');
}

/** Placeholder credentials and region for a loopback DynamoDB endpoint. */
export const LOCAL_AWS = Object.freeze({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
