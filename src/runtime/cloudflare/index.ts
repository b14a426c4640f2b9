// Thin Cloudflare-style adapters (fetch, queue, scheduled): re-exports only.
export * from './worker.js';
