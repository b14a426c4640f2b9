// Drains an MQTT broker's queued messages into Danube on a schedule (see docs/connectors/mqtt.md).
// Configuration is the JSON in MQTT_CONFIG; MQTT_PASSWORD, when set, replaces "password".
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DanubeClient } from '../src/client/index.js';
import { mqttSource, type MqttSourceOptions } from '../src/connectors/mqtt/index.js';
import { createLogger } from '../src/core/logger.js';
import { sourceSettingsFromEnv } from '../src/source/settings.js';

const config = JSON.parse(process.env.MQTT_CONFIG ?? '{}') as MqttSourceOptions;
if (process.env.MQTT_PASSWORD) config.password = process.env.MQTT_PASSWORD;
const source = mqttSource(config);
const settings = sourceSettingsFromEnv(process.env);
const client = new DanubeClient({ serviceUrl: settings.serviceUrl, ...(settings.token ? { token: settings.token } : {}), ...(settings.tlsCa ? { tls: { ca: settings.tlsCa } } : {}) });
const logger = createLogger({ name: `source:${source.config.name}` });

export const handler = middy<unknown, unknown, Error, Context>().handler((_event, context, { signal }) =>
  source.run({ client, budgetMs: context.getRemainingTimeInMillis(), logger: logger.child({ requestId: context.awsRequestId }), signal }),
);
