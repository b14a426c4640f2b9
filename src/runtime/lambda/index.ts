// Thin AWS Lambda adapters: re-exports only.
export * from './source.js';
export * from './sink.js';
export * from '../connection.js';
