import type { DanubeServiceOptions } from './options.js';

/**
 * The environment variables through which deployed functions and the relay learn how to reach
 * Danube. The token itself is never among them: only the name of the SSM parameter or secret
 * that holds it, which the function reads at start with its own IAM permission.
 */
export const ENV = Object.freeze({
  serviceUrl: 'DANUBE_SERVICE_URL',
  tokenSsmParameter: 'DANUBE_TOKEN_SSM_PARAMETER',
  tokenSecretId: 'DANUBE_TOKEN_SECRET_ID',
  /** Plain token: local runs only (`npm start`, tests); deployments use the two above. */
  token: 'DANUBE_TOKEN',
  tlsCa: 'DANUBE_TLS_CA',
  checkpointTable: 'DANUBE_CHECKPOINT_TABLE',
  /** Prefix of checkpoint ids (`<service>/<source>`). */
  service: 'DANUBE_SERVICE',
  /** One binding (JSON) for a relay Lambda run. */
  relayBinding: 'DANUBE_RELAY_BINDING',
  /** A whole relay configuration (JSON) for the relay container. */
  relayConfig: 'DANUBE_RELAY_CONFIG',
  relayStopMarginMs: 'DANUBE_RELAY_STOP_MARGIN_MS',
});

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
