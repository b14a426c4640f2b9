// PostgreSQL: change data capture (pgoutput) and table polling as sources; INSERT/UPSERT as a sink.
export type { PostgresConnectionOptions } from './connection.js';
export type { JsonValue } from './values.js';
export { UNCHANGED_TOAST, type ChangeEvent, type ChangeOperation, type ColumnValue, type Row } from './cdc/change.js';
export { parsePostgresCdcOptions, type PostgresCdcOptions } from './cdc/options.js';
export type { CdcCheckpoint } from './cdc/session.js';
export { postgresCdcSource, type PostgresCdcSource, type PostgresCdcSourceOptions } from './cdc/source.js';
export { parsePostgresPollOptions, type PostgresPollOptions } from './poll/options.js';
export { postgresPollSource, type PollCheckpoint, type PostgresPollSource, type PostgresPollSourceOptions } from './poll/source.js';
export { parsePostgresSinkOptions, type ColumnMapping, type ColumnType, type PostgresSinkOptions } from './sink/options.js';
export { postgresSink, type PostgresSink, type PostgresSinkConfig } from './sink/sink.js';
