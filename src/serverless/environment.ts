import { DANUBE_ENV as ENV } from '../core/environment.js';
import type { DanubeServiceOptions } from './options.js';

export { ENV };

/**
 * The connection variables for a function or the relay.
 *
 * @example
 * connectionEnvironment(options); // { DANUBE_SERVICE_URL: 'https://…', DANUBE_TOKEN_SSM_PARAMETER: '/danube/token' }
 */
export function connectionEnvironment(danube: DanubeServiceOptions): Record<string, string> {
  const env: Record<string, string> = { [ENV.serviceUrl]: danube.serviceUrl };
  if (danube.token?.ssmParameter) env[ENV.tokenSsmParameter] = danube.token.ssmParameter;
  if (danube.token?.secretsManager) env[ENV.tokenSecretId] = danube.token.secretsManager;
  if (danube.tls?.ca) env[ENV.tlsCa] = danube.tls.ca;
  return env;
}
