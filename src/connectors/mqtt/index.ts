export * from './options.js';
export * from './source.js';
export * from './topic-filter.js';
