// `danube-connect console`: the web console of `npm start`, attached to a relay and a broker
// running elsewhere. Read-only unless --allow-actions; actions then need the token printed here.
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDbCheckpointStore } from '../checkpoint/dynamodb-store.js';
import { DEFAULT_CHECKPOINT_TABLE } from '../checkpoint/table.js';
import { DanubeClient } from '../client/client.js';
import { attachConsoleBackend } from '../console/attach-backend.js';
import { safeUrl } from '../console/redact.js';
import { startConsoleServer } from '../console/server.js';
import { DANUBE_ENV, LOCAL_AWS, needsLocalAwsCredentials } from '../core/environment.js';
import { createLogger } from '../core/logger.js';
import { TRANSFORM_NAMES } from '../core/transforms.js';
import { openDeadLetterTopic } from '../dlq/topic.js';
import { parseRelayConfig } from '../relay/parse-config.js';
import { adminUrlFor } from '../serverless/provision.js';
import { DEFAULT_SERVICE } from '../source/run-options.js';

const HELP = `usage: danube-connect console [--relay URL] [--service-url URL] [options]

Serves the web console (the one \`npm start\` serves) for a relay and a broker running elsewhere.
It is read-only unless --allow-actions is given; actions (checkpoint set/reset, redrive) then
need the token this command prints.

  --relay URL              the relay's endpoints (its /status), e.g. http://relay:9090
  --relay-config FILE      the relay's configuration (JSON or YAML): its dead-letter topics and
                           function names (\${NAME} placeholders are read from the environment)
  --service-url URL        the Danube broker (default $DANUBE_SERVICE_URL)
  --admin-url URL          its admin API (default $DANUBE_ADMIN_URL, else the broker's host, port 50051)
  --dead-letter-topic T    a dead-letter topic to browse (repeatable; the relay config's are added)
  --follow                 keep the recent messages of the relay's topics for peek (subscribes
                           danube-console-tail to each; the subscription is removed at exit)
  --source NAME            a source whose checkpoint to show (repeatable)
  --service S              their checkpoint key prefix (default $${DANUBE_ENV.service} or "${DEFAULT_SERVICE}")
  --table T                their DynamoDB table (default $${DANUBE_ENV.checkpointTable} or "${DEFAULT_CHECKPOINT_TABLE}")
  --endpoint URL           DynamoDB endpoint (default $${DANUBE_ENV.dynamoDbEndpoint} or AWS)
  --allow-actions          offer checkpoint set/reset and redrive (each needs the printed token)
  --port N                 console port (default 7650; 0 = any free port)
  --host H                 console address (default 127.0.0.1)

Environment: DANUBE_TOKEN (the broker's JWT) and DANUBE_ADMIN_TOKEN (its admin API, else
DANUBE_TOKEN); AWS credentials for DynamoDB. The page never shows them.
`;

export async function runConsole(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      relay: { type: 'string' },
      'relay-config': { type: 'string' },
      'service-url': { type: 'string' },
      'admin-url': { type: 'string' },
      'dead-letter-topic': { type: 'string', multiple: true },
      follow: { type: 'boolean' },
      source: { type: 'string', multiple: true },
      service: { type: 'string' },
      table: { type: 'string' },
      endpoint: { type: 'string' },
      'allow-actions': { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const env = process.env;
  const serviceUrl = values['service-url'] ?? (env.DANUBE_SERVICE_URL || undefined);
  if (!values.relay && !serviceUrl) {
    process.stderr.write(`danube-connect console: give --relay, --service-url or both\n\n${HELP}`);
    return 2;
  }
  const port = values.port === undefined ? 7650 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be a port number, got "${values.port}"`);
  const logger = createLogger({ name: 'danube-console', level: values['log-level'] as 'warn' });
  let bindings;
  if (values['relay-config']) {
    const path = resolve(values['relay-config']);
    const text = readFileSync(path, 'utf8');
    bindings = parseRelayConfig(text, { format: extname(path) === '.json' ? 'json' : 'yaml', env, knownTransforms: TRANSFORM_NAMES }).config.bindings;
  }
  const token = env.DANUBE_TOKEN || undefined;
  const adminToken = env.DANUBE_ADMIN_TOKEN || token;
  const client = serviceUrl ? new DanubeClient({ serviceUrl, ...(token ? { token } : {}), logger }) : undefined;
  const endpoint = values.endpoint ?? env[DANUBE_ENV.dynamoDbEndpoint];
  const sources = values.source ?? [];
  const backend = await attachConsoleBackend({
    logger,
    ...(values.relay ? { relayUrl: values.relay } : {}),
    ...(bindings ? { bindings } : {}),
    ...(values['dead-letter-topic'] ? { deadLetterTopics: values['dead-letter-topic'] } : {}),
    ...(serviceUrl ? { serviceUrl, adminUrl: values['admin-url'] ?? (env.DANUBE_ADMIN_URL || adminUrlFor(serviceUrl)) } : {}),
    ...(adminToken ? { adminToken } : {}),
    ...(client ? { client, deadLetters: (topic: string) => openDeadLetterTopic(topic, { client, logger }) } : {}),
    follow: values.follow ?? false,
    ...(sources.length
      ? {
          checkpoints: {
            service: values.service ?? env[DANUBE_ENV.service] ?? DEFAULT_SERVICE,
            sources,
            open: () =>
              new DynamoDbCheckpointStore({
                tableName: values.table ?? env[DANUBE_ENV.checkpointTable] ?? DEFAULT_CHECKPOINT_TABLE,
                ...(endpoint ? { endpoint } : {}),
                ...(needsLocalAwsCredentials(endpoint, env) ? LOCAL_AWS : {}),
              }),
          },
        }
      : {}),
  });
  let server;
  try {
    server = await startConsoleServer(backend, { port, readOnly: !values['allow-actions'], ...(values.host ? { host: values.host } : {}) }, logger);
  } catch (err) {
    await backend.close();
    await client?.close();
    throw err;
  }
  const what = [values.relay ? `relay ${safeUrl(values.relay)}` : '', serviceUrl ? `broker ${safeUrl(serviceUrl)}` : ''].filter(Boolean).join(', ');
  if (server.readOnly) process.stdout.write(`danube-connect console: ${server.url}/ (read-only) for ${what}\n`);
  else process.stdout.write(`danube-connect console: ${server.url}/#token=${server.token} for ${what}\nactions need the token ${server.token}\n`);

  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await server.close();
  await client?.close();
  return 0;
}
