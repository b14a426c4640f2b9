import type { Logger } from '../core/logger.js';

const noop = () => undefined;

/**
 * A logger that writes nothing and pulls in no logging library, so the sink path bundles into
 * a Worker without pino. Adapters and the relay pass a real one.
 */
export const quietLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  fatal: noop,
  child: () => quietLogger,
} as unknown as Logger;
