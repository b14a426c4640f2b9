export * from './limiter.js';
export * from './options.js';
export * from './request.js';
export * from './send.js';
export * from './sink.js';
