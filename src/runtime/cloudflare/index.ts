// Thin Cloudflare-style adapters (fetch, queue, scheduled): re-exports only.
export * from './scheduled.js';
export * from './worker.js';
export * from '../connection.js';
