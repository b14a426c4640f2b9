// The Worker-safe face of the Cloudflare adapters (no Node-only API): re-exports only.
// `scheduled.ts` runs sources on Node hosts and is not part of it.
export * from './types.js';
export * from './fetch.js';
export * from './queue.js';
