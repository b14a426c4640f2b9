// POSTs the records of each relay batch to HTTP_SINK_URL (see docs/connectors/http-sink.md).
// Other settings are the JSON in HTTP_SINK_CONFIG; HTTP_SINK_AUTHORIZATION becomes the
// Authorization header.
import { httpSink, type HttpSinkOptions } from '../src/connectors/http-sink/index.js';
import { lambdaSink } from '../src/runtime/lambda/index.js';

const config = JSON.parse(process.env.HTTP_SINK_CONFIG ?? '{}') as Partial<HttpSinkOptions>;
const authorization = process.env.HTTP_SINK_AUTHORIZATION;
const headers = { ...config.headers, ...(authorization ? { authorization } : {}) };

export const sink = httpSink({ ...config, url: process.env.HTTP_SINK_URL ?? config.url ?? '', headers });
export const handler = lambdaSink(sink);
