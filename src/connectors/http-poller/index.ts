export * from './options.js';
export * from './poller.js';
export * from './source.js';
export * from './json-path.js';
export * from './http-headers.js';
