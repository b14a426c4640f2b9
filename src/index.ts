// The package's public face: re-exports only.
export * from './core/index.js';
export * from './checkpoint/index.js';
export * from './source/index.js';
export * from './sink/index.js';
export * from './broker/index.js';
export * from './client/index.js';
export * from './relay/index.js';
export * from './runtime/lambda/index.js';
export * from './runtime/cloudflare/index.js';
export {
  postgresCdcSource, postgresPollSource, postgresSink, parsePostgresCdcOptions, parsePostgresPollOptions, parsePostgresSinkOptions,
  UNCHANGED_TOAST, type ChangeEvent, type CdcCheckpoint, type PollCheckpoint, type ColumnMapping, type PostgresCdcSourceOptions,
  type PostgresPollSourceOptions, type PostgresSinkConfig, type PostgresCdcSource, type PostgresPollSource, type PostgresSink,
} from './connectors/postgres/index.js';
