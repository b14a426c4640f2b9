export * from './options.js';
export * from './auth.js';
export * from './receiver.js';
export * from './adapters.js';
export * from './publisher.js';
