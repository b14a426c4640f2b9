// `./logger`: the JSON logger the package's own processes use, for handlers that want the same
// lines (a subpath of its own, so that adapters that are handed a logger never load it).
export { createLogger, silentLogger, type Logger, type LoggerOptions } from './core/logger.js';
