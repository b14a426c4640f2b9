import { DanubeClient } from '../client/client.js';
import type { DanubeClientOptions } from '../client/client-options.js';
import { ConfigError, RetryableError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { LOCAL_AWS, needsLocalAwsCredentials } from '../source/settings.js';

/**
 * The variables through which a deployed function or the relay learns how to reach Danube (the
 * Serverless plugin sets them). A deployment names where the token lives, never the token itself.
 */
export const CONNECTION_ENV = Object.freeze({
  serviceUrl: 'DANUBE_SERVICE_URL',
  /** Plain token: local runs, tests, and the relay container (ECS injects it from the secret). */
  token: 'DANUBE_TOKEN',
  tokenSsmParameter: 'DANUBE_TOKEN_SSM_PARAMETER',
  tokenSecretId: 'DANUBE_TOKEN_SECRET_ID',
  /** PEM text of the CA that signed the broker's certificate. */
  tlsCa: 'DANUBE_TLS_CA',
  /** The AWS SDK's own endpoint variables (a local stand-in, a VPC endpoint). */
  ssmEndpoint: 'AWS_ENDPOINT_URL_SSM',
  secretsManagerEndpoint: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
});

/** The part of `DanubeClientOptions` an environment decides. */
export type DanubeConnection = Pick<DanubeClientOptions, 'serviceUrl' | 'token' | 'tokenSupplier' | 'tls'>;

/** Connection settings with the token already fetched. */
export interface DanubeConnectionSettings {
  serviceUrl: string;
  token?: string;
  tls?: { ca: string };
}

/** Reads the token from SSM or Secrets Manager; injected so tests can do without AWS. */
export interface SecretReader {
  ssmParameter(name: string): Promise<string>;
  secret(id: string): Promise<string>;
}

type Env = Record<string, unknown>;

const SERVICE_URL = /^https?:\/\/[^/\s]+\/?$/;
// Errors no retry fixes: the parameter or secret is missing, or the role may not read it.
const PERMANENT = /NotFound|AccessDenied|Unrecognized|InvalidParameter|InvalidRequest|DecryptionFailure|KMS/;

function read(env: Env, name: string): string | undefined {
  const v = env[name];
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/**
 * A {@link SecretReader} over the AWS SDK. The SDK ships with the Lambda runtime, so bundles leave
 * it out, and each client is imported on first use: a function whose token is not stored in AWS
 * never loads either. Endpoints come from `AWS_ENDPOINT_URL_SSM` /
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` in `env`; a loopback endpoint without credentials gets
 * placeholder ones, as for DynamoDB.
 *
 * @example
 * const reader = awsSecretReaderFor(process.env);
 * const token = await reader.ssmParameter('/danube/prod/token');
 */
export function awsSecretReaderFor(env: Env): SecretReader {
  const clientConfig = (endpointVar: string): Record<string, unknown> => {
    const endpoint = read(env, endpointVar);
    const region = read(env, 'AWS_REGION') ?? read(env, 'AWS_DEFAULT_REGION');
    return {
      ...(needsLocalAwsCredentials(endpoint, env) ? LOCAL_AWS : {}),
      ...(region ? { region } : {}),
      ...(endpoint ? { endpoint } : {}),
    };
  };
  return {
    async ssmParameter(name) {
      const variable = CONNECTION_ENV.tokenSsmParameter;
      const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
      const ssm = new SSMClient(clientConfig(CONNECTION_ENV.ssmEndpoint));
      try {
        const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true })).catch((err: unknown) => {
          throw wrapAwsError(err, `reading the Danube token from SSM parameter "${name}" (${variable})`, variable);
        });
        const value = out.Parameter?.Value?.trim();
        if (!value) throw new ConfigError(`SSM parameter "${name}" (${variable}) has no value`, [variable]);
        return value;
      } finally {
        ssm.destroy();
      }
    },
    async secret(id) {
      const variable = CONNECTION_ENV.tokenSecretId;
      const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const sm = new SecretsManagerClient(clientConfig(CONNECTION_ENV.secretsManagerEndpoint));
      try {
        const out = await sm.send(new GetSecretValueCommand({ SecretId: id })).catch((err: unknown) => {
          throw wrapAwsError(err, `reading the Danube token from secret "${id}" (${variable})`, variable);
        });
        const value = out.SecretString?.trim();
        if (!value) throw new ConfigError(`secret "${id}" (${variable}) has no SecretString`, [variable]);
        return value;
      } finally {
        sm.destroy();
      }
    },
  };
}

/** {@link awsSecretReaderFor} over `process.env`, as a deployed function sees it. */
export const awsSecretReader: SecretReader = {
  ssmParameter: (name) => awsSecretReaderFor(process.env).ssmParameter(name),
  secret: (id) => awsSecretReaderFor(process.env).secret(id),
};

function wrapAwsError(err: unknown, what: string, variable: string): Error {
  const name = err instanceof Error ? err.name : 'Error';
  const message = `${what} failed: ${name}: ${err instanceof Error ? err.message : String(err)}`;
  return PERMANENT.test(name) ? new ConfigError(message, [variable], { cause: err }) : new RetryableError(message, { cause: err });
}

// A warm function keeps its token: one SSM / Secrets Manager call per cold start, not per run.
const tokens = new Map<string, Promise<string>>();

function cached(key: string, load: () => Promise<string>): Promise<string> {
  let value = tokens.get(key);
  if (!value) {
    value = load();
    // A failed read is tried again by the next call, not remembered.
    value.catch(() => tokens.delete(key));
    tokens.set(key, value);
  }
  return value;
}

export interface DanubeConnectionFromEnvOptions {
  /** Where stored tokens are read (default: the AWS SDK, configured from the same `env`). */
  reader?: SecretReader;
}

/**
 * How to reach Danube, from an environment record (`process.env` or a Worker's `env`):
 * `DANUBE_SERVICE_URL`, the token from `DANUBE_TOKEN` (local runs) or by reference from
 * `DANUBE_TOKEN_SSM_PARAMETER` / `DANUBE_TOKEN_SECRET_ID`, and `DANUBE_TLS_CA`. A token stored in
 * AWS becomes a `tokenSupplier` that reads it on the first call that needs it and keeps it for
 * the life of the process, so building a client at module load costs no AWS call. Throws a
 * `ConfigError` naming the variable that is missing or wrong.
 *
 * @example
 * const client = new DanubeClient({ ...danubeConnectionFromEnv(process.env), logger });
 */
export function danubeConnectionFromEnv(env: Env, options: DanubeConnectionFromEnvOptions = {}): DanubeConnection {
  const E = CONNECTION_ENV;
  const serviceUrl = read(env, E.serviceUrl)?.trim();
  if (!serviceUrl) throw new ConfigError(`${E.serviceUrl} is not set: where is the Danube broker?`, [E.serviceUrl]);
  if (!SERVICE_URL.test(serviceUrl)) {
    throw new ConfigError(`${E.serviceUrl} must be "http://host:port" or "https://host:port", got "${serviceUrl}"`, [E.serviceUrl]);
  }
  const connection: DanubeConnection = { serviceUrl };
  const token = read(env, E.token)?.trim();
  const ssm = read(env, E.tokenSsmParameter)?.trim();
  const secretId = read(env, E.tokenSecretId)?.trim();
  if (token) connection.token = token;
  else if (ssm && secretId) {
    throw new ConfigError(`set either ${E.tokenSsmParameter} or ${E.tokenSecretId}, not both`, [E.tokenSsmParameter, E.tokenSecretId]);
  } else if (ssm || secretId) {
    const reader = options.reader ?? awsSecretReaderFor(env);
    connection.tokenSupplier = ssm
      ? () => cached(`ssm:${ssm}`, () => reader.ssmParameter(ssm))
      : () => cached(`secret:${secretId}`, () => reader.secret(secretId!));
  }
  const ca = read(env, E.tlsCa);
  if (ca !== undefined) {
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError(`${E.tlsCa} must hold a PEM certificate ("-----BEGIN CERTIFICATE-----"), not a file name or other text`, [E.tlsCa]);
    }
    connection.tls = { ca };
  }
  return connection;
}

/**
 * {@link danubeConnectionFromEnv} with the token already fetched (same per-process cache).
 *
 * @example
 * const { serviceUrl, token } = await resolveDanubeConnection(process.env);
 */
export async function resolveDanubeConnection(env: Env, reader?: SecretReader): Promise<DanubeConnectionSettings> {
  const { serviceUrl, token, tokenSupplier, tls } = danubeConnectionFromEnv(env, reader ? { reader } : {});
  const settings: DanubeConnectionSettings = { serviceUrl };
  const resolved = token ?? (await tokenSupplier?.());
  if (resolved) settings.token = resolved;
  if (typeof tls?.ca === 'string') settings.tls = { ca: tls.ca };
  return settings;
}

/**
 * A `DanubeClient` for a deployed function or the relay, from its environment (see
 * {@link danubeConnectionFromEnv}).
 *
 * @example
 * const client = danubeClientFromEnv(process.env, logger);
 */
export function danubeClientFromEnv(env: Env, logger?: Logger, reader?: SecretReader, transport?: 'lean' | 'grpc-js'): DanubeClient {
  return new DanubeClient({ ...danubeConnectionFromEnv(env, reader ? { reader } : {}), ...(logger ? { logger } : {}), ...(transport ? { transport } : {}) });
}
