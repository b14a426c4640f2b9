// Thin AWS Lambda adapters: re-exports only.
export * from './sink.js';
