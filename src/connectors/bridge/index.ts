export * from './options.js';
export * from './loop-guard.js';
export * from './sink.js';
