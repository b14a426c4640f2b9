// Drains an MQTT broker's queued messages into Danube on a schedule (see docs/connectors/mqtt.md).
// Configuration is the JSON in MQTT_CONFIG; MQTT_PASSWORD, when set, replaces "password".
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { mqttSource, type MqttSourceOptions } from 'danube-connect-serverless/connectors/mqtt';
import { DanubeClient } from 'danube-connect-serverless/client';
import { danubeConnectionFromEnv } from 'danube-connect-serverless/lambda';
import { createLogger } from 'danube-connect-serverless/logger';
import { fromSettings, needJson, optional } from './env.js';

const env = process.env;
const config = needJson<MqttSourceOptions>(env, 'MQTT_CONFIG', 'a JSON object with "name", "url", "clientId" and "routes" (see docs/connectors/mqtt.md)');
const password = optional(env, 'MQTT_PASSWORD', (v) => v);
if (password) config.password = password;
const source = fromSettings(['MQTT_CONFIG'], () => mqttSource(config));
const logger = createLogger({ name: `source:${source.config.name}` });
// Module scope: the channel and the token (read from SSM / Secrets Manager once per cold start
// when DANUBE_TOKEN_SSM_PARAMETER / DANUBE_TOKEN_SECRET_ID name it) outlive the invocation.
const client = new DanubeClient({ ...danubeConnectionFromEnv(env), logger });

export const handler = middy<unknown, unknown, Error, Context>().handler((_event, context, { signal }) =>
  source.run({ client, budgetMs: context.getRemainingTimeInMillis(), logger: logger.child({ requestId: context.awsRequestId }), signal }),
);
