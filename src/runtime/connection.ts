import type { DanubeClientOptions } from '../client/client-options.js';
import { ConfigError, RetryableError } from '../core/errors.js';
import { awsErrorKind } from '../core/aws-errors.js';
import { DANUBE_ENV, envValue, LOCAL_AWS, needsLocalAwsCredentials, parseConnectionEnv } from '../core/environment.js';

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
    const endpoint = envValue(env, endpointVar);
    const region = envValue(env, 'AWS_REGION') ?? envValue(env, 'AWS_DEFAULT_REGION');
    return {
      ...(needsLocalAwsCredentials(endpoint, env) ? LOCAL_AWS : {}),
      ...(region ? { region } : {}),
      ...(endpoint ? { endpoint } : {}),
    };
  };
  return {
    async ssmParameter(name) {
      const variable = DANUBE_ENV.tokenSsmParameter;
      const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
      const ssm = new SSMClient(clientConfig(DANUBE_ENV.ssmEndpoint));
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
      const variable = DANUBE_ENV.tokenSecretId;
      const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const sm = new SecretsManagerClient(clientConfig(DANUBE_ENV.secretsManagerEndpoint));
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
  // No retry fixes a missing parameter or secret, or a role that may not read it.
  return awsErrorKind(err) === 'fatal' ? new ConfigError(message, [variable], { cause: err }) : new RetryableError(message, { cause: err });
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
  const parsed = parseConnectionEnv(env);
  const connection: DanubeConnection = { serviceUrl: parsed.serviceUrl };
  if (parsed.token) connection.token = parsed.token;
  const { tokenSsmParameter: ssm, tokenSecretId: secretId } = parsed;
  if (ssm || secretId) {
    const reader = options.reader ?? awsSecretReaderFor(env);
    connection.tokenSupplier = ssm
      ? () => cached(`ssm:${ssm}`, () => reader.ssmParameter(ssm))
      : () => cached(`secret:${secretId}`, () => reader.secret(secretId!));
  }
  if (parsed.tlsCa) connection.tls = { ca: parsed.tlsCa };
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
