import type { Logger } from '../core/logger.js';
import type { CallAuth } from './auth.js';
import type { ResolvedClientOptions } from './client-options.js';
import type { ConnectionPool } from './connection-pool.js';
import type { DeadlineSweeper } from './deadline-sweeper.js';
import type { SchemaRegistry } from './schema-registry.js';

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
  readonly registry: SchemaRegistry;
  /** Time limits of sends and acks (see `DeadlineSweeper`). */
  readonly sweeper: DeadlineSweeper;
  /** Throws `ClientClosedError` once the client is closed. */
  ensureOpen(operation: string, topic?: string): void;
  track(child: Closeable): void;
  untrack(child: Closeable): void;
}
