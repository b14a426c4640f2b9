// Receives webhooks through API Gateway (HTTP API, payload 2.0) and publishes them (see
// docs/connectors/webhook.md). Routes and auth are the JSON in WEBHOOK_CONFIG; a secret given in
// WEBHOOK_SECRET replaces "secret" of the top-level HMAC/JWT auth.
import { DanubeClient } from '../src/client/index.js';
import { producerPublisher, WebhookReceiver, webhookLambdaHandler, type WebhookOptions } from '../src/connectors/webhook/index.js';
import { sourceSettingsFromEnv } from '../src/source/settings.js';

const config = JSON.parse(process.env.WEBHOOK_CONFIG ?? '{}') as WebhookOptions;
if (process.env.WEBHOOK_SECRET && config.auth && 'secret' in config.auth) config.auth.secret = process.env.WEBHOOK_SECRET;
const settings = sourceSettingsFromEnv(process.env);
// Module scope: the client and its producers outlive the invocation (warm starts reuse them).
const client = new DanubeClient({ serviceUrl: settings.serviceUrl, ...(settings.token ? { token: settings.token } : {}), ...(settings.tlsCa ? { tls: { ca: settings.tlsCa } } : {}) });

export const receiver = new WebhookReceiver(config, { publisher: producerPublisher(client) });
export const handler = webhookLambdaHandler(receiver);
