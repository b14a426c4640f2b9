export * from './options.js';
export * from './mapping.js';
export * from './sink.js';
