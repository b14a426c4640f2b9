// POSTs the records of each relay batch to HTTP_SINK_URL (see docs/connectors/http-sink.md).
// Other settings are the optional JSON in HTTP_SINK_CONFIG; HTTP_SINK_AUTHORIZATION becomes the
// Authorization header.
import { httpSink, type HttpSinkOptions } from 'danube-connect-serverless/connectors/http-sink';
import { ConfigError } from 'danube-connect-serverless';
import { lambdaSink } from 'danube-connect-serverless/lambda';
import { fromSettings, optional, optionalJson } from './env.js';

const env = process.env;
const config = optionalJson<Partial<HttpSinkOptions>>(env, 'HTTP_SINK_CONFIG') ?? {};
const url = optional(env, 'HTTP_SINK_URL', (v) => v.trim()) ?? config.url;
if (!url) throw new ConfigError('HTTP_SINK_URL is not set: the URL records are sent to (or "url" in HTTP_SINK_CONFIG)', ['HTTP_SINK_URL']);
const authorization = optional(env, 'HTTP_SINK_AUTHORIZATION', (v) => v);
const headers = { ...config.headers, ...(authorization ? { authorization } : {}) };

export const sink = fromSettings(['HTTP_SINK_URL', 'HTTP_SINK_CONFIG'], () => httpSink({ ...config, url, headers }));
export const handler = lambdaSink(sink);
