// `danube-connect relay`: runs the relay from a JSON or YAML config until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../core/logger.js';
import { InvokeError, parseRelayConfig, startRelay, type Invoker, type RelayConfig } from '../relay/index.js';
import { createInvoker } from '../relay/invokers/create.js';
import { TRANSFORM_NAMES } from '../core/transforms.js';
import { startCliTracing } from './tracing.js';

const HELP = `usage: danube-connect relay --config relay.json|relay.yaml [options]

  --config FILE        bindings and settings (JSON or YAML); \${NAME} placeholders are read
                       from the environment (e.g. secret: "\${SINK_SECRET}")
  --port N             port of /healthz, /readyz, /metrics, /status (default: config "port",
                       else 9090; 0 = any free port)
  --host H             address of that port (default: config "host", else 127.0.0.1)
  --service-url URL    Danube service URL (default: $DANUBE_SERVICE_URL, else config "serviceUrl")
  --check              validate the config, import every local sink module and check its
                       export, check HTTP hosts and Lambda functions (a DryRun invocation),
                       print warnings, and exit (1 when a binding cannot deliver)
  --log-level L        trace|debug|info|warn|error|silent (default info)

Environment: DANUBE_SERVICE_URL; the JWT (sent as "authorization: Bearer") from DANUBE_TOKEN,
or read from AWS by DANUBE_TOKEN_SSM_PARAMETER or DANUBE_TOKEN_SECRET_ID; DANUBE_TLS_CA (PEM text
of the CA that signed the broker's certificate).
Traces: OTEL_TRACES_EXPORTER=otlp|console or OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318
turn on an exporter (with the OpenTelemetry SDK packages installed; see docs/tracing.md).
Stops on SIGINT/SIGTERM: takes no new messages, finishes the batches in flight (at most
drainTimeoutMs), acks what succeeded, gives the rest back to the broker, exits 0.
`;

export async function runRelay(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string' },
      host: { type: 'string' },
      'service-url': { type: 'string' },
      check: { type: 'boolean' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.config) {
    process.stderr.write(`danube-connect relay: --config is required\n\n${HELP}`);
    return 2;
  }
  const path = resolve(values.config);
  const text = readFileSync(path, 'utf8');
  const format = extname(path) === '.json' ? 'json' : 'yaml';
  const { config, warnings } = parseRelayConfig(text, { format, env: process.env, knownTransforms: TRANSFORM_NAMES });
  if (values.check) {
    for (const w of warnings) process.stdout.write(`warning: ${w}\n`);
    const errors = await checkBindings(config, dirname(path));
    if (errors) {
      process.stdout.write(`${path}: ${errors} binding(s) cannot deliver\n`);
      return 1;
    }
    process.stdout.write(`${path}: ${config.bindings.length} binding(s) OK\n`);
    return 0;
  }
  const port = values.port !== undefined ? Number(values.port) : (config.port ?? 9090);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be a port number, got "${values.port}"`);
  const serviceUrl = values['service-url'] ?? process.env.DANUBE_SERVICE_URL ?? config.serviceUrl;
  if (!serviceUrl) throw new Error('no Danube service URL: pass --service-url, set DANUBE_SERVICE_URL, or set "serviceUrl" in the config');
  const logger = createLogger({ name: 'danube-relay', level: values['log-level'] as 'info' });
  // Before the client exists, so that everything it does is traced from the start. Async context
  // only for in-process sinks: the relay itself passes every parent explicitly.
  const asyncContext = config.bindings.some((b) => b.enabled && b.function.type === 'local');
  const tracing = await startCliTracing(process.env, { serviceName: 'danube-relay', asyncContext });
  if (tracing) logger.info({ tracing: tracing.description }, 'exporting traces');

  const { danubeClientFromEnv } = await import('../runtime/client-from-env.js');
  // The URL chosen above wins; token and CA come from the environment as in a deployed relay.
  const client = danubeClientFromEnv({ ...process.env, DANUBE_SERVICE_URL: serviceUrl }, logger, undefined, config.transport);
  const relay = await startRelay({ ...config, serviceUrl, port, ...(values.host ? { host: values.host } : {}) }, { client, logger, baseDir: dirname(path) });
  process.stdout.write(`danube relay listening on ${relay.url}\n`);

  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // A second signal: the operator does not want to wait for the drain.
        logger.warn({ signal }, 'second signal: exiting without finishing the drain');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'signal received: draining');
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await relay.close();
  await client.close();
  await tracing?.shutdown();
  return 0;
}

/**
 * `--check`: each enabled binding's function, checked as the relay checks it at start (nothing
 * is invoked). Prints an error per binding that cannot deliver and a warning per check that
 * could not tell (no network, no AWS credentials here); returns how many cannot deliver.
 */
async function checkBindings(config: RelayConfig, baseDir: string): Promise<number> {
  let errors = 0;
  for (const b of config.bindings.filter((x) => x.enabled)) {
    let invoker: Invoker;
    try {
      invoker = createInvoker(b.function, { baseDir });
    } catch (err) {
      process.stdout.write(`error: binding "${b.name}": ${(err as Error).message}\n`);
      errors++;
      continue;
    }
    try {
      await invoker.check?.(AbortSignal.timeout(10_000));
    } catch (err) {
      if (err instanceof InvokeError && err.reason === 'config') {
        process.stdout.write(`error: binding "${b.name}": ${err.message}\n`);
        errors++;
      } else process.stdout.write(`warning: binding "${b.name}": could not check its function from here: ${(err as Error).message}\n`);
    } finally {
      await invoker.close();
    }
  }
  return errors;
}
