// The environment variables the package reads and writes, and the local-endpoint rules that go
// with them, in one place. Nothing here reads `process.env`: callers pass the record they mean
// (a function's environment, a Worker's `env`, a test's own).
import { ConfigError } from './errors.js';

/**
 * Every variable by purpose. The Serverless plugin writes them into deployed functions; the
 * runtime adapters, the relay and `danube-connect` read them. A deployment names where the
 * token lives, never the token itself.
 */
export const DANUBE_ENV = Object.freeze({
  /** `http://host:port` or `https://host:port` of a Danube broker. */
  serviceUrl: 'DANUBE_SERVICE_URL',
  /** Plain token: local runs, tests, and the relay container (ECS injects it from the secret). */
  token: 'DANUBE_TOKEN',
  /** SSM parameter that holds the token; read once per cold start. */
  tokenSsmParameter: 'DANUBE_TOKEN_SSM_PARAMETER',
  /** Secrets Manager secret that holds the token; read once per cold start. */
  tokenSecretId: 'DANUBE_TOKEN_SECRET_ID',
  /** PEM text of the CA that signed the broker's certificate. */
  tlsCa: 'DANUBE_TLS_CA',
  /** DynamoDB table of source checkpoints. */
  checkpointTable: 'DANUBE_CHECKPOINT_TABLE',
  /** First part of checkpoint ids (`<service>/<source>`). */
  service: 'DANUBE_SERVICE',
  /** One relay binding (JSON), for a relay Lambda run. */
  relayBinding: 'DANUBE_RELAY_BINDING',
  /** A whole relay configuration (JSON), for the relay container. */
  relayConfig: 'DANUBE_RELAY_CONFIG',
  relayStopMarginMs: 'DANUBE_RELAY_STOP_MARGIN_MS',
  /** The broker's admin API, for provisioning (default: the service URL's host, port 50051). */
  adminUrl: 'DANUBE_ADMIN_URL',
  /** The AWS SDK's own endpoint variables (a local stand-in, a VPC endpoint). */
  dynamoDbEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
  ssmEndpoint: 'AWS_ENDPOINT_URL_SSM',
  secretsManagerEndpoint: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
});

/** A variable's value, or undefined when it is unset, not a string, or only blanks. */
export function envValue(env: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = env[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** True for a URL whose host is this machine (127.0.0.1, localhost, ::1). */
export function isLoopbackUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
  } catch {
    return false;
  }
}

// Where the AWS SDK finds credentials besides its config files.
const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE'];

/**
 * True for a loopback AWS endpoint (dynalite, DynamoDB Local, an emulator) when the environment
 * holds no AWS credentials: such servers accept any, and the SDK refuses to sign without some.
 * Credentials the user gave are always used as they are.
 */
export function needsLocalAwsCredentials(endpoint: string | undefined, env: Readonly<Record<string, unknown>>): boolean {
  return isLoopbackUrl(endpoint) && !CREDENTIAL_VARIABLES.some((name) => envValue(env, name) !== undefined);
}

/**
 * Placeholder credentials and region for a loopback AWS endpoint (see {@link needsLocalAwsCredentials}).
 * Not frozen: the AWS SDK marks the credentials object it is given.
 */
export const LOCAL_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/** How to reach Danube, as an environment states it; the token may still be stored elsewhere. */
export interface ConnectionEnv {
  serviceUrl: string;
  /** A plain token; when given, the stored-token variables are ignored. */
  token?: string;
  tokenSsmParameter?: string;
  tokenSecretId?: string;
  /** PEM text of the broker's CA. */
  tlsCa?: string;
}

const SERVICE_URL = /^https?:\/\/[^/\s]+\/?$/;

/**
 * Reads and checks the connection variables ({@link DANUBE_ENV}): the service URL, a plain token
 * or where one is stored (one place, not two), and the CA. Throws a `ConfigError` naming the
 * variable that is missing or wrong.
 *
 * @example
 * parseConnectionEnv({ DANUBE_SERVICE_URL: 'http://127.0.0.1:6650' }); // { serviceUrl: 'http://127.0.0.1:6650' }
 */
export function parseConnectionEnv(env: Readonly<Record<string, unknown>>): ConnectionEnv {
  const E = DANUBE_ENV;
  const serviceUrl = envValue(env, E.serviceUrl)?.trim();
  if (!serviceUrl) throw new ConfigError(`${E.serviceUrl} is not set: where is the Danube broker?`, [E.serviceUrl]);
  if (!SERVICE_URL.test(serviceUrl)) {
    throw new ConfigError(`${E.serviceUrl} must be "http://host:port" or "https://host:port", got "${serviceUrl}"`, [E.serviceUrl]);
  }
  const connection: ConnectionEnv = { serviceUrl };
  const token = envValue(env, E.token)?.trim();
  const ssm = envValue(env, E.tokenSsmParameter)?.trim();
  const secretId = envValue(env, E.tokenSecretId)?.trim();
  if (token) connection.token = token;
  else if (ssm && secretId) {
    throw new ConfigError(`set either ${E.tokenSsmParameter} or ${E.tokenSecretId}, not both`, [E.tokenSsmParameter, E.tokenSecretId]);
  } else if (ssm) connection.tokenSsmParameter = ssm;
  else if (secretId) connection.tokenSecretId = secretId;
  const ca = envValue(env, E.tlsCa);
  if (ca !== undefined) {
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError(`${E.tlsCa} must hold a PEM certificate ("-----BEGIN CERTIFICATE-----"), not a file name or other text`, [E.tlsCa]);
    }
    connection.tlsCa = ca;
  }
  return connection;
}
