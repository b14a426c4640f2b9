// A sink that POSTs records (one by one or as a batch) to an HTTP endpoint.
export { parseHttpSinkOptions, type HttpSinkConfig, type HttpSinkOptions } from './options.js';
export { httpSink, type HttpSinkDeps } from './sink.js';
