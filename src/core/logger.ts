import { pino, type Logger as PinoLogger } from 'pino';
import { TRACE_LOG_OPTIONS } from './tracing.js';

/**
 * The logger every component takes. It is pino's interface, so a caller can pass
 * its own pino instance (with its own transport) or any object with the same methods.
 *
 * @example
 * const logger = createLogger({ name: 'relay', level: 'debug' });
 * logger.info({ binding: 'orders' }, 'binding started');
 */
export type Logger = Pick<PinoLogger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'child'>;

export interface LoggerOptions {
  name?: string;
  level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
}

/**
 * A JSON logger on stdout; ids and offsets (bigint) are written as strings. While an
 * OpenTelemetry span is active, lines carry its `trace_id` and `span_id`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino({
    name: options.name,
    level: options.level ?? 'info',
    formatters: { log: stringifyBigints },
    ...TRACE_LOG_OPTIONS,
  });
}

/** A logger that writes nothing: the default of library components. */
export const silentLogger: Logger = pino({ level: 'silent' });

function stringifyBigints(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === 'bigint') {
      copy ??= { ...object };
      copy[key] = value.toString();
    }
  }
  return copy ?? object;
}
