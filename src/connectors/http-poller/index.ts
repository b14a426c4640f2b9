// A source that polls an HTTP API: cursors, `Link` pagination, ETag, `Retry-After`.
export { parseHttpPollerOptions, type HttpPollerConfig, type HttpPollerCursor, type HttpPollerOptions } from './options.js';
export { HttpPoller, type HttpPollerCheckpoint, type HttpPollerDeps, type HttpPollResult } from './poller.js';
export { httpPollerSource } from './source.js';
