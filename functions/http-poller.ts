// Polls a JSON API on a schedule (see docs/connectors/http-poller.md). Configuration is the JSON
// in HTTP_POLLER_CONFIG; a secret header value (e.g. a bearer token) comes from
// HTTP_POLLER_AUTHORIZATION so it can live in the function's secret store.
import { httpPollerSource, type HttpPollerOptions } from 'danube-connect-serverless/connectors/http-poller';
import { lambdaSource } from 'danube-connect-serverless/lambda';
import { fromSettings, needJson, optional } from './env.js';

const env = process.env;
const config = needJson<HttpPollerOptions>(env, 'HTTP_POLLER_CONFIG', 'a JSON object with "name", "topic" and "url" (see docs/connectors/http-poller.md)');
const authorization = optional(env, 'HTTP_POLLER_AUTHORIZATION', (v) => v);
if (authorization) config.headers = { ...config.headers, authorization };

export const source = fromSettings(['HTTP_POLLER_CONFIG'], () => httpPollerSource(config));
export const handler = lambdaSource(source);
