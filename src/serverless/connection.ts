import { DanubeClient } from '../client/client.js';
import type { Logger } from '../core/logger.js';
import { ENV } from './environment.js';
import { ServerlessConfigError } from './options.js';

/** How a deployed function reaches Danube, read from the variables the plugin sets. */
export interface DanubeConnectionSettings {
  serviceUrl: string;
  token?: string;
  tls?: { ca: string };
}

/** Reads the token from SSM or Secrets Manager; injected so tests need no AWS. */
export interface SecretReader {
  ssmParameter(name: string): Promise<string>;
  secret(id: string): Promise<string>;
}

/**
 * Reads secrets with the AWS SDK (provided by the Lambda runtime, so left out of bundles).
 * Each client is loaded on first use: a function without a token never loads either.
 */
export const awsSecretReader: SecretReader = {
  async ssmParameter(name) {
    const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
    const out = await new SSMClient({}).send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    if (!out.Parameter?.Value) throw new ServerlessConfigError(`SSM parameter ${name} has no value`);
    return out.Parameter.Value;
  },
  async secret(id) {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: id }));
    if (!out.SecretString) throw new ServerlessConfigError(`secret ${id} has no SecretString`);
    return out.SecretString.trim();
  },
};

// A warm Lambda keeps its token: one SSM/Secrets Manager call per cold start, not per run.
const cache = new Map<string, Promise<string>>();

/**
 * The connection settings of a function or relay from its environment: `DANUBE_SERVICE_URL`,
 * the token from `DANUBE_TOKEN` (local runs) or fetched from `DANUBE_TOKEN_SSM_PARAMETER` /
 * `DANUBE_TOKEN_SECRET_ID` with the function's own IAM permission, and `DANUBE_TLS_CA`.
 *
 * @example
 * const settings = await resolveDanubeConnection(process.env);
 * const client = new DanubeClient(settings);
 */
export async function resolveDanubeConnection(
  env: Record<string, string | undefined>,
  reader: SecretReader = awsSecretReader,
): Promise<DanubeConnectionSettings> {
  const serviceUrl = env[ENV.serviceUrl];
  if (!serviceUrl) throw new ServerlessConfigError(`${ENV.serviceUrl} is not set`, [ENV.serviceUrl]);
  const settings: DanubeConnectionSettings = { serviceUrl };
  const ssm = env[ENV.tokenSsmParameter];
  const secretId = env[ENV.tokenSecretId];
  if (env[ENV.token]) settings.token = env[ENV.token];
  else if (ssm) settings.token = await cached(`ssm:${ssm}`, () => reader.ssmParameter(ssm));
  else if (secretId) settings.token = await cached(`sm:${secretId}`, () => reader.secret(secretId));
  if (env[ENV.tlsCa]) settings.tls = { ca: env[ENV.tlsCa]! };
  return settings;
}

function cached(key: string, load: () => Promise<string>): Promise<string> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    // A failed read is retried by the next invocation, not remembered.
    value.catch(() => cache.delete(key));
    cache.set(key, value);
  }
  return value;
}

/**
 * A `DanubeClient` for a deployed function or relay, from its environment. The token (when it
 * comes from SSM or Secrets Manager) is fetched on the first call that needs it, so building the
 * client at module load costs nothing and a cold start without traffic makes no AWS call.
 *
 * @example
 * const client = danubeClientFromEnv(process.env, logger);
 */
export function danubeClientFromEnv(env: Record<string, string | undefined>, logger?: Logger, reader: SecretReader = awsSecretReader): DanubeClient {
  const serviceUrl = env[ENV.serviceUrl];
  if (!serviceUrl) throw new ServerlessConfigError(`${ENV.serviceUrl} is not set`, [ENV.serviceUrl]);
  const ssm = env[ENV.tokenSsmParameter];
  const secretId = env[ENV.tokenSecretId];
  const token = env[ENV.token];
  const tokenOption = token
    ? { token }
    : ssm
      ? { tokenSupplier: () => cached(`ssm:${ssm}`, () => reader.ssmParameter(ssm)) }
      : secretId
        ? { tokenSupplier: () => cached(`sm:${secretId}`, () => reader.secret(secretId)) }
        : {};
  return new DanubeClient({
    serviceUrl,
    ...tokenOption,
    ...(env[ENV.tlsCa] ? { tls: { ca: env[ENV.tlsCa]! } } : {}),
    ...(logger ? { logger } : {}),
  });
}
