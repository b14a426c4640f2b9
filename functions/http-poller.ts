// Polls a JSON API on a schedule (see docs/connectors/http-poller.md). Configuration is the JSON
// in HTTP_POLLER_CONFIG; a secret header value (e.g. a bearer token) comes from
// HTTP_POLLER_AUTHORIZATION so it can live in the function's secret store.
import { httpPollerSource, type HttpPollerOptions } from '../src/connectors/http-poller/index.js';
import { lambdaSource } from '../src/runtime/lambda/index.js';

const config = JSON.parse(process.env.HTTP_POLLER_CONFIG ?? '{}') as HttpPollerOptions;
const authorization = process.env.HTTP_POLLER_AUTHORIZATION;
if (authorization) config.headers = { ...config.headers, authorization };

export const source = httpPollerSource(config);
export const handler = lambdaSource(source);
