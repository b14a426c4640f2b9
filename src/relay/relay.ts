import { DanubeClient } from '../client/index.js';
import { checkOptions, instanceRule, loggerRule, objectRule, optional, stringRule } from '../core/check-options.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { createTransforms, TRANSFORM_NAMES, type TransformDeps, type TransformSpec } from '../core/transforms.js';
import type { Sink, SinkHandler } from '../sink/define.js';
import { BindingRunner } from './binding-runner.js';
import { relayReadiness, type BindingStatus, type RelayReadiness } from './binding-status.js';
import type { RelayConfig, RelayConfigInput } from './config-schema.js';
import { RelayConfigError } from './errors.js';
import { startRelayHttpServer, type RelayHttpServer } from './http-server.js';
import { createInvoker } from './invokers/create.js';
import { createLocalInvoker } from './invokers/local.js';
import type { Invoker } from './invokers/types.js';
import { RelayMetrics } from './metrics.js';
import { checkFunctions, type CheckedBinding } from './sink-check.js';
import { parseRelayConfig } from './parse-config.js';
import type { RelayClient } from './ports.js';

export interface StartRelayOptions {
  /** A connected client; default: a new `DanubeClient` on `config.serviceUrl`, closed by `close()`. */
  client?: RelayClient;
  logger?: Logger;
  /** Folder that relative `local` module paths start from (the CLI passes the config file's folder). */
  baseDir?: string;
  /** In-process sinks by binding name, used instead of importing the binding's `local` module. */
  sinks?: Record<string, Sink | SinkHandler>;
  /** Invokers by binding name (tests, custom transports); override the binding's `function`. */
  invokers?: Record<string, Invoker>;
}

const START_RELAY_RULES = {
  client: instanceRule('a Danube client'),
  logger: loggerRule(),
  baseDir: optional(stringRule('')),
  sinks: optional(objectRule({})),
  invokers: optional(objectRule({})),
};

export interface RelayStatus {
  ready: boolean;
  bindings: BindingStatus[];
}

export interface Relay {
  /** Every binding's state and counters. */
  status(): RelayStatus;
  /** What `/readyz` answers: ready, or which bindings are not and why (not subscribed, resubscribing, broker unreachable). */
  readiness(): RelayReadiness;
  readonly metrics: RelayMetrics;
  /** `http://host:port` of `/healthz`, `/readyz`, `/metrics`, `/status` when `config.port` is set. */
  readonly url: string | undefined;
  /** Drains every binding (bounded by `drainTimeoutMs`), then closes what it opened. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts the relay: one consumer per binding, batches to the binding's function, acks only what
 * succeeded. Resolves once every binding made its first subscribe attempt (a binding that could
 * not subscribe keeps trying; `/readyz` says so).
 *
 * @example
 * const relay = await startRelay({
 *   serviceUrl: 'http://127.0.0.1:6650',
 *   bindings: [{ name: 'orders-to-pg', topic: '/default/orders', subscription: 'orders-pg',
 *     function: { type: 'local', module: './functions/orders-sink.ts' }, batchSize: 50 }],
 * }, { logger });
 * process.on('SIGTERM', () => relay.close());
 */
export async function startRelay(input: RelayConfig | RelayConfigInput, options: StartRelayOptions = {}): Promise<Relay> {
  checkOptions(options, START_RELAY_RULES, 'startRelay options');
  const { config, warnings } = parseRelayConfig(input as RelayConfigInput, { knownTransforms: TRANSFORM_NAMES });
  const logger = options.logger ?? silentLogger;
  for (const w of warnings) logger.warn({ warning: w }, w);
  let client = options.client;
  const ownsClient = client === undefined;
  if (!client) {
    if (!config.serviceUrl) throw new RelayConfigError('invalid relay config: serviceUrl: required when no client is given', ['serviceUrl']);
    client = new DanubeClient({ serviceUrl: config.serviceUrl, logger, ...(config.transport ? { transport: config.transport } : {}) });
  }
  const metrics = new RelayMetrics();
  const deps: TransformDeps = {};
  const registry = client.schemaRegistry;
  if (registry) deps.schemaResolver = (id, version) => registry.getSchema(id, version);

  const runners: BindingRunner[] = [];
  const checked: CheckedBinding[] = [];
  for (const b of config.bindings.filter((x) => x.enabled)) {
    const sink = options.sinks?.[b.name];
    const invoker =
      options.invokers?.[b.name] ??
      (sink ? createLocalInvoker({ sink, timeoutMs: b.function.timeoutMs }) : createInvoker(b.function, options.baseDir ? { baseDir: options.baseDir } : {}));
    let transforms;
    try {
      transforms = createTransforms((b.transform ?? []) as TransformSpec[], deps);
    } catch (err) {
      throw new RelayConfigError(`invalid relay config: binding "${b.name}": transform: ${(err as Error).message}`, ['transform'], { cause: err });
    }
    const runner = new BindingRunner(b, { client, invoker, metrics, logger, transforms });
    runners.push(runner);
    checked.push({ name: b.name, invoker, health: runner.health });
  }
  // Each function is checked before its binding takes records: one that cannot be invoked says so now.
  const stopRechecks = await checkFunctions(checked, logger);
  await Promise.all(runners.map((r) => r.start()));

  const relayClient = client;
  const readiness = (): RelayReadiness =>
    relayReadiness(
      runners.map((r) => r.snapshot()),
      relayClient.connectivity?.({ graceMs: config.readinessGraceMs }),
    );
  const status = (): RelayStatus => ({ ready: readiness().ready, bindings: runners.map((r) => r.status()) });
  let http: RelayHttpServer | undefined;
  if (config.port !== undefined) {
    try {
      http = await startRelayHttpServer(
        { port: config.port, host: config.host },
        {
          healthy: () => true,
          readiness,
          metrics: async () => ({ body: await metrics.render(), contentType: metrics.contentType }),
          status,
        },
      );
    } catch (err) {
      // E.g. the port is taken: stop what already runs instead of leaving consumers behind.
      stopRechecks();
      await Promise.all(runners.map((r) => r.drain(0)));
      await Promise.all(runners.map((r) => r.closeInvoker()));
      if (ownsClient) await client.close();
      throw err;
    }
    logger.info({ url: http.url }, 'relay endpoints listening');
  }
  logger.info({ bindings: runners.map((r) => r.binding.name) }, 'relay started');

  let closing: Promise<void> | undefined;
  return {
    status,
    readiness,
    metrics,
    url: http?.url,
    close() {
      closing ??= (async () => {
        logger.info({ drainTimeoutMs: config.drainTimeoutMs }, 'relay stopping');
        stopRechecks();
        await Promise.all(runners.map((r) => r.drain(config.drainTimeoutMs)));
        await Promise.all(runners.map((r) => r.closeInvoker()));
        await http?.close();
        if (ownsClient) await client.close();
        logger.info('relay stopped');
      })();
      return closing;
    },
  };
}
