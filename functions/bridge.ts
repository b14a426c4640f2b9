// Republishes each relay batch to another Danube cluster (see docs/connectors/bridge.md).
// Settings are the JSON in BRIDGE_CONFIG. The destination token is BRIDGE_DESTINATION_TOKEN, or is
// read once per cold start from the SSM parameter BRIDGE_DESTINATION_TOKEN_SSM_PARAMETER or the
// secret BRIDGE_DESTINATION_TOKEN_SECRET_ID (the function's role needs read access to it).
import { DanubeClient } from 'danube-connect-serverless/client';
import { parseBridgeOptions, type BridgeConfig, type BridgeOptions, bridgeSink } from 'danube-connect-serverless/connectors/bridge';
import { ConfigError } from 'danube-connect-serverless';
import { DANUBE_ENV, danubeConnectionFromEnv, lambdaSink } from 'danube-connect-serverless/lambda';
import { fromSettings, needJson, optional } from './env.js';

const TOKEN = 'BRIDGE_DESTINATION_TOKEN';
const TOKEN_SSM_PARAMETER = 'BRIDGE_DESTINATION_TOKEN_SSM_PARAMETER';
const TOKEN_SECRET_ID = 'BRIDGE_DESTINATION_TOKEN_SECRET_ID';

const env = process.env;
const config = needJson<BridgeOptions>(env, 'BRIDGE_CONFIG', 'a JSON object with "clusterId" and "destination" (see docs/connectors/bridge.md)');
const token = optional(env, TOKEN, (v) => v.trim());
if (token && config.destination) config.destination.token = token;
const checked = fromSettings(['BRIDGE_CONFIG'], () => parseBridgeOptions(config));

/**
 * The destination client when its token is stored in AWS. The destination is another cluster, so
 * the plugin's DANUBE_* variables (this cluster's) are replaced, never inherited.
 */
function storedTokenClient(d: BridgeConfig['destination']): DanubeClient | undefined {
  const ssm = optional(env, TOKEN_SSM_PARAMETER, (v) => v);
  const secretId = optional(env, TOKEN_SECRET_ID, (v) => v);
  if ((!ssm && !secretId) || d.token) return undefined;
  if (ssm && secretId) throw new ConfigError(`set either ${TOKEN_SSM_PARAMETER} or ${TOKEN_SECRET_ID}, not both`, [TOKEN_SSM_PARAMETER, TOKEN_SECRET_ID]);
  const E = DANUBE_ENV;
  const connection = danubeConnectionFromEnv({
    ...env,
    [E.serviceUrl]: d.serviceUrl,
    [E.token]: undefined,
    [E.tokenSsmParameter]: ssm,
    [E.tokenSecretId]: secretId,
    [E.tlsCa]: undefined,
  });
  return new DanubeClient({
    ...connection,
    ...(d.tls ? { tls: d.tls } : {}),
    ...(d.connectTimeoutMs ? { connectTimeoutMs: d.connectTimeoutMs } : {}),
    ...(d.requestTimeoutMs ? { requestTimeoutMs: d.requestTimeoutMs } : {}),
  });
}

// Module scope: the destination client and its producers are reused across warm invocations.
const client = storedTokenClient(checked.destination);
export const sink = bridgeSink(config, client ? { client } : {});
export const handler = lambdaSink(sink);
