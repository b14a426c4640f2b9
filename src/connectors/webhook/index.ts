// A webhook receiver that publishes each accepted request to Danube (answers 202 once stored).
export { parseWebhookOptions, type WebhookAuthConfig, type WebhookConfig, type WebhookOptions, type WebhookRoute } from './options.js';
export { WebhookReceiver, type WebhookPublisher, type WebhookReceiverDeps, type WebhookRequest, type WebhookResponse } from './receiver.js';
export { webhookFetchHandler, webhookLambdaHandler, type HttpApiEventLike, type HttpApiResult } from './adapters.js';
export { producerPublisher, type ProducerPublisherOptions } from './publisher.js';
