// Republishes each relay batch to another Danube cluster (see docs/connectors/bridge.md).
// Settings are the JSON in BRIDGE_CONFIG. The destination token is BRIDGE_DESTINATION_TOKEN, or is
// read once per cold start from the SSM parameter BRIDGE_DESTINATION_TOKEN_SSM_PARAMETER or the
// secret BRIDGE_DESTINATION_TOKEN_SECRET_ID (the function's role needs read access to it).
import { bridgeSink, type BridgeOptions } from '../src/connectors/bridge/index.js';
import { DanubeClient } from '../src/client/client.js';
import { danubeConnectionFromEnv, lambdaSink } from '../src/runtime/lambda/index.js';

const config = JSON.parse(process.env.BRIDGE_CONFIG ?? '{}') as BridgeOptions;
if (process.env.BRIDGE_DESTINATION_TOKEN && config.destination) config.destination.token = process.env.BRIDGE_DESTINATION_TOKEN;

/**
 * The destination client when its token is stored in AWS. The destination is another cluster, so
 * the plugin's DANUBE_* variables (this cluster's) are replaced, never inherited.
 */
function storedTokenClient(): DanubeClient | undefined {
  const ssm = process.env.BRIDGE_DESTINATION_TOKEN_SSM_PARAMETER;
  const secretId = process.env.BRIDGE_DESTINATION_TOKEN_SECRET_ID;
  const d = config.destination;
  if ((!ssm && !secretId) || !d || d.token) return undefined;
  const connection = danubeConnectionFromEnv({
    ...process.env,
    DANUBE_SERVICE_URL: d.serviceUrl,
    DANUBE_TOKEN: undefined,
    DANUBE_TOKEN_SSM_PARAMETER: ssm,
    DANUBE_TOKEN_SECRET_ID: secretId,
    DANUBE_TLS_CA: undefined,
  });
  return new DanubeClient({
    ...connection,
    ...(d.tls ? { tls: d.tls } : {}),
    ...(d.connectTimeoutMs ? { connectTimeoutMs: d.connectTimeoutMs } : {}),
    ...(d.requestTimeoutMs ? { requestTimeoutMs: d.requestTimeoutMs } : {}),
  });
}

// Module scope: the destination client and its producers are reused across warm invocations.
const client = storedTokenClient();
export const sink = bridgeSink(config, client ? { client } : {});
export const handler = lambdaSink(sink);
