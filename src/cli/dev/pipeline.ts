// The local pipeline behind `danube-connect dev` / `npm start`: embedded broker, in-process
// DynamoDB, the sources on their schedules, the relay and the sink functions, all in this process.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { startBroker, type Broker } from '../../broker/index.js';
import { ensureCheckpointTable } from '../../checkpoint/table.js';
import { DanubeClient } from '../../client/client.js';
import type { Logger } from '../../core/logger.js';
import { createLocalInvoker } from '../../relay/invokers/local.js';
import type { Invoker } from '../../relay/invokers/types.js';
import { startRelay, type Relay } from '../../relay/relay.js';
import { buildRelayConfig, findDanubeEvents, type ServiceFunction } from '../../serverless/bindings.js';
import { DANUBE_ENV as ENV, LOCAL_AWS, needsLocalAwsCredentials } from '../../core/environment.js';
import { parseDanubeServiceOptions } from '../../serverless/options.js';
import { loadServiceFile } from '../../serverless/service-file.js';
import { checkpointTableName, hasSchedule } from '../../serverless/service-model.js';
import { runSource } from '../../source/runner.js';
import { watchDeadLetters } from '../../dev/dead-letter-watch.js';
import { provisionForDev } from '../../dev/provision.js';
import { adminUrlFor } from '../../serverless/provision.js';
import { loadFunction, type LoadedFunction } from '../../dev/function-loader.js';
import { lambdaHandlerInvoker } from '../../dev/lambda-invoke.js';
import { parseDevOptions, type DevOptions } from '../../dev/options.js';
import { parseSchedule, type Schedule } from '../../dev/schedule.js';
import { SourceScheduler, type ScheduledFunction } from '../../dev/source-scheduler.js';
import { bindingViews, type BindingView, type DevStatus } from '../../dev/status.js';
import { DynamoDbCheckpointStore } from '../../checkpoint/dynamodb-store.js';

export interface DevPipeline {
  status(): DevStatus;
  /** Runs a source now (function key or source name). */
  invoke(name: string): ReturnType<SourceScheduler['runNow']>;
  readonly sourceNames: string[];
  /** Stops the schedules, drains the relay, closes everything. Safe to call twice. */
  close(): Promise<void>;
}

/** The schedule expressions of a function's `schedule` events (enabled ones). */
function schedulesOf(fn: ServiceFunction): string[] {
  const out: string[] = [];
  for (const e of fn.events ?? []) {
    const s = (e as { schedule?: unknown }).schedule;
    if (s === undefined) continue;
    if (typeof s === 'string') out.push(s);
    else if (s && typeof s === 'object' && (s as { enabled?: boolean }).enabled !== false) {
      const rate = (s as { rate?: string | string[] }).rate;
      out.push(...(Array.isArray(rate) ? rate : rate ? [rate] : []));
    }
  }
  return out;
}

async function startLocalBroker(port: number, dataDir: string, logger: Logger): Promise<Broker> {
  try {
    return await startBroker({ port, dataDir, logger });
  } catch (err) {
    if (port !== 0 && /EADDRINUSE|in use/i.test(String((err as Error)?.message ?? err))) {
      logger.warn({ port }, 'broker port in use; taking any free port');
      return startBroker({ port: 0, dataDir, logger });
    }
    throw err;
  }
}

async function startDynalite(path: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections?.();
    }),
  };
}

/**
 * Starts the whole pipeline that serverless.yml describes, on this machine.
 *
 * @example
 * const dev = await startDevPipeline({ durationMs: 20_000 }, logger);
 * console.log(dev.status());
 * await dev.close();
 */
export async function startDevPipeline(input: DevOptions, logger: Logger): Promise<DevPipeline> {
  const options = parseDevOptions(input);
  const cwd = resolve(options.cwd);
  const dataDir = resolve(cwd, options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // `${env:DANUBE_DATA_DIR}` lets serverless.yml put local output under the data dir.
  const service = loadServiceFile(join(cwd, options.config), { env: { ...options.env, DANUBE_DATA_DIR: dataDir }, params: options.params, ...(options.stage ? { stage: options.stage } : {}) });
  const danube = parseDanubeServiceOptions(service.custom.danube);
  const stackPrefix = `${service.service}-${service.provider.stage}`;
  const cleanups: Array<() => Promise<unknown>> = [];
  const started = Date.now();

  try {
    // 1. Danube and DynamoDB: embedded unless pointed elsewhere.
    let broker: Broker | undefined;
    let serviceUrl = options.serviceUrl;
    if (!serviceUrl) {
      broker = await startLocalBroker(options.brokerPort, join(dataDir, 'broker'), logger.child({ part: 'broker' }));
      cleanups.unshift(() => broker!.close());
      serviceUrl = broker.url;
    }
    let dynamoDbEndpoint = options.dynamoDbEndpoint;
    if (!dynamoDbEndpoint) {
      const local = await startDynalite(join(dataDir, 'dynamodb'));
      cleanups.unshift(() => local.close());
      dynamoDbEndpoint = local.endpoint;
    }
    const tableName = checkpointTableName(danube, stackPrefix);
    // A loopback endpoint without credentials gets placeholder ones; credentials the user gave are used.
    const localAws = needsLocalAwsCredentials(dynamoDbEndpoint, process.env) ? LOCAL_AWS : {};
    const ddb = new DynamoDBClient({ endpoint: dynamoDbEndpoint, ...localAws });
    await ensureCheckpointTable(ddb, tableName);
    ddb.destroy();

    // 2. What the functions see, as the plugin would set it when deployed.
    const functionEnv: Record<string, string> = {
      ...Object.fromEntries(Object.entries(service.provider.environment ?? {}).filter(([k, v]) => k !== 'NODE_OPTIONS' && typeof v === 'string') as [string, string][]),
      [ENV.serviceUrl]: serviceUrl,
      [ENV.checkpointTable]: tableName,
      [ENV.service]: service.service,
      [ENV.dynamoDbEndpoint]: dynamoDbEndpoint,
      DANUBE_DATA_DIR: dataDir,
      ...(options.token ? { [ENV.token]: options.token } : {}),
    };
    for (const fn of Object.values(service.functions)) {
      for (const [k, v] of Object.entries((fn.environment as Record<string, unknown>) ?? {})) if (typeof v === 'string') functionEnv[k] = v;
    }
    Object.assign(process.env, functionEnv);

    const client = new DanubeClient({ serviceUrl, ...(options.token ? { token: options.token } : {}), logger: logger.child({ part: 'client' }) });
    cleanups.unshift(() => client.close());

    // 3. Load the functions; one that cannot start here (say, a connector without its settings)
    // is listed as disabled instead of stopping the pipeline.
    const disabled: Array<{ function: string; reason: string }> = [];
    const loadedFns = new Map<string, LoadedFunction>();
    for (const [key, fn] of Object.entries(service.functions)) {
      if (!hasSchedule(fn) && !findDanubeEvents({ [key]: fn }).length) continue;
      try {
        loadedFns.set(key, await loadFunction(cwd, String(fn.handler)));
      } catch (err) {
        disabled.push({ function: key, reason: (err as Error)?.message ?? String(err) });
        logger.warn({ function: key, err: (err as Error)?.message }, 'function disabled: it cannot start locally');
      }
    }
    const active = Object.fromEntries(Object.entries(service.functions).filter(([key]) => loadedFns.has(key)));

    // 4. Every bound topic, dead-letter topic and relay subscription exists, with its window and
    // ack timeout, before any source publishes: a new subscription starts at the latest message.
    const refs = findDanubeEvents(active);
    const dlqTopics = [...new Set(refs.map((r) => r.event.deadLetterTopic).filter((t): t is string => typeof t === 'string'))];
    const { config: planned } = buildRelayConfig({ functions: active, danube: { ...danube, serviceUrl }, target: { kind: 'lambda' }, relayMode: 'local' });
    await provisionForDev(planned.bindings, {
      adminUrl: broker?.adminUrl ?? options.adminUrl ?? adminUrlFor(serviceUrl),
      ...(options.token ? { token: options.token } : {}),
      client,
      required: broker !== undefined,
      logger: logger.child({ part: 'provision' }),
    });
    const deadLetterFile = join(dataDir, 'dead-letters.jsonl');
    const dlq = await watchDeadLetters(client, dlqTopics, deadLetterFile, logger.child({ part: 'dead-letters' }));
    cleanups.unshift(() => dlq.close());

    // 5. Sinks behind the relay, in this process, called like Lambda calls them.
    const timeoutOf = (fn: ServiceFunction) => Math.round((fn.timeout ?? service.provider.timeout ?? 6) * 1000);
    const invokers: Record<string, Invoker> = {};
    const { raw } = buildRelayConfig({
      functions: active,
      danube: { ...danube, serviceUrl },
      defaultTimeoutSeconds: service.provider.timeout,
      target: { kind: 'local', moduleFor: (_key, fn) => ({ module: String(fn.handler).replace(/\.[^.]+$/, ''), export: String(fn.handler).split('.').pop()! }) },
      relayMode: 'local',
    });
    for (const [i, ref] of refs.entries()) {
      const fn = active[ref.functionKey]!;
      // buildRelayConfig keeps the order of findDanubeEvents: binding i is event i.
      const binding = raw.bindings[i]!;
      const loaded = loadedFns.get(ref.functionKey)!;
      invokers[binding.name] = loaded.handler
        ? lambdaHandlerInvoker({ functionName: fn.name ?? ref.functionKey, timeoutMs: timeoutOf(fn), handler: loaded.handler })
        : createLocalInvoker({ sink: loaded.module.sink as never, timeoutMs: timeoutOf(fn) });
    }
    let relay: Relay | undefined;
    if (raw.bindings.length) {
      relay = await startRelay({ ...raw, drainTimeoutMs: options.drainTimeoutMs }, { client, logger: logger.child({ part: 'relay' }), invokers });
      cleanups.unshift(() => relay!.close());
    }

    // 6. Sources on their schedules.
    const scheduled: ScheduledFunction[] = [];
    for (const [key, fn] of Object.entries(active)) {
      if (!hasSchedule(fn)) continue;
      const schedules: Schedule[] = schedulesOf(fn).map((e) => parseSchedule(e));
      if (!schedules.length) continue;
      const loaded = loadedFns.get(key)!;
      const store = () => new DynamoDbCheckpointStore({ tableName, endpoint: dynamoDbEndpoint!, ...localAws });
      const handler =
        loaded.handler ??
        ((_event: unknown, context: { getRemainingTimeInMillis(): number }) =>
          runSource(loaded.source!, { client, store: store(), service: service.service, budgetMs: context.getRemainingTimeInMillis(), logger }));
      scheduled.push({ key, schedules, lambda: { functionName: fn.name ?? key, timeoutMs: timeoutOf(fn), handler } });
    }
    const scheduler = new SourceScheduler(scheduled, logger.child({ part: 'scheduler' }));
    cleanups.unshift(() => scheduler.stop());
    scheduler.start(options.runSourcesAtStart);

    const previous = new Map<string, { acked: number; at: number }>();
    // Files under the data dir that the functions were told to write (e.g. the example sink's).
    const outputs = Object.values(functionEnv).filter((v) => v.startsWith(`${dataDir}/`) && v !== dataDir);
    const files = [...outputs, deadLetterFile].map((f) => relative(cwd, f) || f);
    let closing: Promise<void> | undefined;
    return {
      sourceNames: scheduled.map((s) => s.key),
      status: () => ({
        uptimeMs: Date.now() - started,
        brokerUrl: serviceUrl!,
        dynamoDbEndpoint: dynamoDbEndpoint!,
        sources: scheduler.status(),
        bindings: relay ? withBrokerBacklog(bindingViews(relay.status().bindings, previous, Date.now()), broker) : [],
        deadLetters: dlq.status(),
        disabled,
        files,
      }),
      invoke: (name) => scheduler.runNow(name),
      close() {
        closing ??= runCleanups(cleanups, logger);
        return closing;
      },
    };
  } catch (err) {
    await runCleanups(cleanups, logger);
    throw err;
  }
}

/**
 * With the embedded broker, lag is what the broker still holds for the subscription (unread and
 * unacked, all partitions), not only what the relay has read: the figure a user watches.
 */
function withBrokerBacklog(views: BindingView[], broker: Broker | undefined): BindingView[] {
  if (!broker) return views;
  const topics = broker.admin.listTopics();
  return views.map((v) => {
    const names = topics.filter((t) => t === v.topic || t.startsWith(`${v.topic}-part-`));
    let backlog = 0;
    for (const name of names) {
      const sub = broker.admin.describeTopic(name)?.subscriptions.find((s) => s.name === v.subscription);
      backlog += sub?.backlog ?? 0;
    }
    return names.length ? { ...v, lag: Math.max(v.lag, backlog) } : v;
  });
}

async function runCleanups(cleanups: Array<() => Promise<unknown>>, logger: Logger): Promise<void> {
  // In order: schedules, relay (drains), dead-letter watch, client, DynamoDB, broker.
  for (const step of cleanups) {
    try {
      await step();
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'error while stopping');
    }
  }
}

/** Writes `.danube/dev.json` so that `danube-connect invoke` finds the running pipeline. */
export function writeDevInfo(dataDir: string, info: { pid: number; url: string }): () => void {
  const file = join(dataDir, 'dev.json');
  writeFileSync(file, `${JSON.stringify(info)}\n`);
  return () => rmSync(file, { force: true });
}
