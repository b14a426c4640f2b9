// A sink that republishes records to another Danube cluster, with a loop guard.
export { parseBridgeOptions, type BridgeConfig, type BridgeOptions } from './options.js';
export { BRIDGE_ORIGIN_CLUSTER, BRIDGE_ORIGIN_OFFSET, BRIDGE_ORIGIN_TOPIC, BRIDGE_PATH, wouldLoop } from './loop-guard.js';
export { bridgeSink, type BridgeDeps, type BridgeStats } from './sink.js';
