import { DanubeClient } from '../client/client.js';
import type { Transport } from '../client/hot-calls.js';
import type { Logger } from '../core/logger.js';
import { danubeConnectionFromEnv, type SecretReader } from './connection.js';

/**
 * A `DanubeClient` for a deployed function or the relay, from its environment (see
 * `danubeConnectionFromEnv`).
 *
 * @example
 * const client = danubeClientFromEnv(process.env, logger);
 */
export function danubeClientFromEnv(env: Record<string, unknown>, logger?: Logger, reader?: SecretReader, transport?: Transport): DanubeClient {
  return new DanubeClient({ ...danubeConnectionFromEnv(env, reader ? { reader } : {}), ...(logger ? { logger } : {}), ...(transport ? { transport } : {}) });
}
