export * from './types.js';
export * from './http.js';
export * from './lambda.js';
export * from './local.js';
export * from './create.js';
