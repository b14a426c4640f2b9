// Worker adapters (Cloudflare Workers and any Web-standard runtime): a sink as a signed `fetch`
// handler or a `queue()` consumer. No Node built-in is imported from here.
export { DEADLINE_HEADER, fetchSink, type FetchSinkOptions } from './fetch.js';
export { queueSink, type QueueSinkOptions } from './queue.js';
export type { FromEnv, MessageBatchLike, QueueMessageLike, QueueRetryOptions } from './types.js';
