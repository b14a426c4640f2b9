import type { Logger } from '../core/logger.js';
import type { CallAuth } from './auth.js';
import type { ResolvedClientOptions } from './client-options.js';
import type { ConnectionPool } from './connection-pool.js';
import type { DeadlineSweeper } from './deadline-sweeper.js';

/** What a producer asks the schema registry while it is created (`SchemaRegistry` does it). */
export interface SchemaLookup {
  getLatest(subject: string): Promise<{ schemaId: bigint; version: number }>;
  getSchema(schemaId: bigint, version?: number): Promise<{ schemaId: bigint; version: number }>;
}

/** Something the client closes when it closes (producers, consumers). */
export interface Closeable {
  close(): Promise<void>;
}

/**
 * What producers, consumers and the registry share with the client that made them: options,
 * the channel pool, call metadata, and the client's lifetime (`signal` aborts on close).
 */
export interface ClientContext {
  readonly options: ResolvedClientOptions;
  readonly pool: ConnectionPool;
  readonly auth: CallAuth;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly registry: SchemaLookup;
  /** Time limits of sends and acks (see `DeadlineSweeper`). */
  readonly sweeper: DeadlineSweeper;
  /** Throws `ClientClosedError` once the client is closed. */
  ensureOpen(operation: string, topic?: string): void;
  track(child: Closeable): void;
  untrack(child: Closeable): void;
}
