// Receives webhooks through API Gateway (HTTP API, payload 2.0) and publishes them (see
// docs/connectors/webhook.md). Routes and auth are the JSON in WEBHOOK_CONFIG; a secret given in
// WEBHOOK_SECRET replaces "secret" of the top-level HMAC, Standard Webhooks or JWT auth.
import { producerPublisher, WebhookReceiver, webhookLambdaHandler, type WebhookOptions } from 'danube-connect-serverless/connectors/webhook';
import { DanubeClient } from 'danube-connect-serverless/client';
import { danubeConnectionFromEnv } from 'danube-connect-serverless/lambda';
import { createLogger } from 'danube-connect-serverless/logger';
import { fromSettings, needJson, optional } from './env.js';

const env = process.env;
const config = needJson<WebhookOptions>(env, 'WEBHOOK_CONFIG', 'a JSON object with "routes" (see docs/connectors/webhook.md)');
const secret = optional(env, 'WEBHOOK_SECRET', (v) => v);
if (secret && config.auth && 'secret' in config.auth) config.auth.secret = secret;
const logger = createLogger({ name: 'webhook' });
// Module scope: the client, its producers and its token (read from SSM / Secrets Manager once per
// cold start when DANUBE_TOKEN_SSM_PARAMETER / DANUBE_TOKEN_SECRET_ID name it) outlive the invocation.
const client = new DanubeClient({ ...danubeConnectionFromEnv(env), logger });

export const receiver = fromSettings(['WEBHOOK_CONFIG'], () => new WebhookReceiver(config, { publisher: producerPublisher(client), logger }));
export const handler = webhookLambdaHandler(receiver);
