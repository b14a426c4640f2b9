import type { Logger, LoggerOptions } from '../core/logger.js';

/**
 * The adapters' default JSON logger, loaded on the first invocation: an adapter that is handed a
 * logger, or only imported, never loads the logging library.
 */
export async function defaultLogger(options: LoggerOptions): Promise<Logger> {
  const { createLogger } = await import('../core/logger.js');
  return createLogger(options);
}
