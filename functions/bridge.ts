// Republishes each relay batch to another Danube cluster (see docs/connectors/bridge.md).
// Settings are the JSON in BRIDGE_CONFIG; BRIDGE_DESTINATION_TOKEN, when set, is the destination token.
import { bridgeSink, type BridgeOptions } from '../src/connectors/bridge/index.js';
import { lambdaSink } from '../src/runtime/lambda/index.js';

const config = JSON.parse(process.env.BRIDGE_CONFIG ?? '{}') as BridgeOptions;
if (process.env.BRIDGE_DESTINATION_TOKEN && config.destination) config.destination.token = process.env.BRIDGE_DESTINATION_TOKEN;

// Module scope: the destination client and its producers are reused across warm invocations.
export const sink = bridgeSink(config);
export const handler = lambdaSink(sink);
