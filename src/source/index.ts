export * from './define-source.js';
export * from './errors.js';
export * from './summary.js';
export * from './record-id.js';
export * from './publisher.js';
export * from './run-options.js';
export * from './runner.js';
