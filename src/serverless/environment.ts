import { CONNECTION_ENV } from '../runtime/connection.js';
import type { DanubeServiceOptions } from './options.js';

/**
 * The environment variables the plugin sets on deployed functions and the relay. The connection
 * names are the ones the runtime reads (`CONNECTION_ENV` in `src/runtime/connection.ts`), so the
 * two cannot drift apart. The token itself is never among them: only the name of the SSM
 * parameter or secret that holds it, which the function reads at start with its own IAM permission.
 */
export const ENV = Object.freeze({
  serviceUrl: CONNECTION_ENV.serviceUrl,
  tokenSsmParameter: CONNECTION_ENV.tokenSsmParameter,
  tokenSecretId: CONNECTION_ENV.tokenSecretId,
  /** Plain token: local runs only (`npm start`, tests); deployments use the two above. */
  token: CONNECTION_ENV.token,
  tlsCa: CONNECTION_ENV.tlsCa,
  checkpointTable: 'DANUBE_CHECKPOINT_TABLE',
  /** Prefix of checkpoint ids (`<service>/<source>`). */
  service: 'DANUBE_SERVICE',
  /** One binding (JSON) for a relay Lambda run. */
  relayBinding: 'DANUBE_RELAY_BINDING',
  /** A whole relay configuration (JSON) for the relay container. */
  relayConfig: 'DANUBE_RELAY_CONFIG',
  relayStopMarginMs: 'DANUBE_RELAY_STOP_MARGIN_MS',
  /** The broker's admin API, for the provisioning step (default: the service URL's host, port 50051). */
  adminUrl: 'DANUBE_ADMIN_URL',
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
