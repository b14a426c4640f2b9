// What `#opentelemetry-api` (package.json "imports") resolves to in Worker and browser bundles:
// nothing. The API would more than double a Worker sink's bundle, so sinks bundled for a Worker
// leave tracing out; the records and batch events they receive still carry their trace context.
export const absent = true;
