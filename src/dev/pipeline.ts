// The local pipeline behind `danube-connect dev` / `npm start`: embedded broker, in-process
// DynamoDB, the sources on their schedules, the relay and the sink functions, all in this process.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Broker } from '../broker/index.js';
import { DynamoDbCheckpointStore } from '../checkpoint/dynamodb-store.js';
import { ensureCheckpointTable } from '../checkpoint/table.js';
import { DanubeClient } from '../client/client.js';
import { DANUBE_ENV as ENV, LOCAL_AWS, needsLocalAwsCredentials } from '../core/environment.js';
import type { Logger } from '../core/logger.js';
import { createLocalInvoker } from '../relay/invokers/local.js';
import type { Invoker } from '../relay/invokers/types.js';
import { startRelay, type Relay } from '../relay/relay.js';
import { buildRelayConfig, findDanubeEvents, type ServiceFunction } from '../serverless/bindings.js';
import { parseDanubeServiceOptions } from '../serverless/options.js';
import { adminUrlFor } from '../serverless/provision.js';
import { loadServiceFile, type ServiceFile } from '../serverless/service-file.js';
import { checkpointTableName, hasSchedule } from '../serverless/service-model.js';
import { runSource } from '../source/runner.js';
import { watchDeadLetters } from './dead-letter-watch.js';
import { loadFunction, type LoadedFunction } from './function-loader.js';
import { lambdaHandlerInvoker } from './lambda-invoke.js';
import { sourceFeeders } from './feeders.js';
import { Cleanups, startDynalite, startLocalBroker, withBrokerBacklog, withDeadLetterBacklog } from './local-services.js';
import { parseDevOptions, type DevOptions, type ResolvedDevOptions } from './options.js';
import { provisionForDev } from './provision.js';
import { parseSchedule, schedulesOf } from './schedule.js';
import { SourceScheduler, type ScheduledFunction } from './source-scheduler.js';
import { bindingViews, withInputs, type DevStatus } from './status.js';
import type { DevParts } from './parts.js';

export interface DevPipeline {
  status(): DevStatus;
  /** Runs a source now (function key or source name). */
  invoke(name: string): ReturnType<SourceScheduler['runNow']>;
  readonly sourceNames: string[];
  /** The broker and its admin API (what `danube-connect dlq` uses while this runs). */
  readonly serviceUrl: string;
  readonly adminUrl: string;
  /** The running parts, for tools that look inside (the web console). */
  readonly parts: DevParts;
  /** Stops the schedules, drains the relay, closes everything. Safe to call twice. */
  close(): Promise<void>;
}

/** Called once everything is provisioned and running, before any source runs (e.g. to start the console). */
export interface DevPipelineHooks {
  beforeSources?: (pipeline: DevPipeline) => Promise<void>;
}

/** Where the pipeline's broker and DynamoDB are: embedded ones unless the options name others. */
interface Services {
  broker: Broker | undefined;
  serviceUrl: string;
  dynamoDbEndpoint: string;
  /** Placeholder credentials for a loopback DynamoDB without credentials of its own. */
  localAws: typeof LOCAL_AWS | Record<string, never>;
}

async function startServices(options: ResolvedDevOptions, dataDir: string, cleanups: Cleanups, logger: Logger): Promise<Services> {
  let broker: Broker | undefined;
  let serviceUrl = options.serviceUrl;
  if (!serviceUrl) {
    const started = await startLocalBroker(options.brokerPort, join(dataDir, 'broker'), logger.child({ part: 'broker' }));
    cleanups.add(() => started.close());
    broker = started;
    serviceUrl = started.url;
  }
  let dynamoDbEndpoint = options.dynamoDbEndpoint;
  if (!dynamoDbEndpoint) {
    const local = await startDynalite(join(dataDir, 'dynamodb'));
    cleanups.add(() => local.close());
    dynamoDbEndpoint = local.endpoint;
  }
  // Credentials the user gave are used as they are; a loopback endpoint without any gets placeholders.
  const localAws = needsLocalAwsCredentials(dynamoDbEndpoint, process.env) ? LOCAL_AWS : {};
  return { broker, serviceUrl, dynamoDbEndpoint, localAws };
}

/** What the functions see, as the plugin would set it when deployed (plus the data folder). */
function functionEnvironment(service: ServiceFile, s: Services, tableName: string, dataDir: string, token: string | undefined): Record<string, string> {
  const env: Record<string, string> = {
    ...Object.fromEntries(
      Object.entries(service.provider.environment ?? {}).filter(([k, v]) => k !== 'NODE_OPTIONS' && typeof v === 'string') as [string, string][],
    ),
    [ENV.serviceUrl]: s.serviceUrl,
    [ENV.checkpointTable]: tableName,
    [ENV.service]: service.service,
    [ENV.dynamoDbEndpoint]: s.dynamoDbEndpoint,
    DANUBE_DATA_DIR: dataDir,
    ...(token ? { [ENV.token]: token } : {}),
  };
  for (const fn of Object.values(service.functions)) {
    for (const [k, v] of Object.entries((fn.environment as Record<string, unknown>) ?? {})) if (typeof v === 'string') env[k] = v;
  }
  return env;
}

/**
 * Loads every function with a `schedule` or `danube` event; one that cannot start here (say, a
 * connector without its settings) is listed as disabled, with why, instead of stopping the pipeline.
 */
async function loadFunctions(service: ServiceFile, cwd: string, logger: Logger) {
  const disabled: Array<{ function: string; reason: string }> = [];
  const loaded = new Map<string, LoadedFunction>();
  for (const [key, fn] of Object.entries(service.functions)) {
    if (!hasSchedule(fn) && !findDanubeEvents({ [key]: fn }).length) continue;
    try {
      loaded.set(key, await loadFunction(cwd, String(fn.handler)));
    } catch (err) {
      disabled.push({ function: key, reason: (err as Error)?.message ?? String(err) });
      logger.warn({ function: key, err: (err as Error)?.message }, 'function disabled: it cannot start locally');
    }
  }
  const active = Object.fromEntries(Object.entries(service.functions).filter(([key]) => loaded.has(key)));
  return { active, loaded, disabled };
}

/**
 * Starts the whole pipeline that serverless.yml describes, on this machine.
 *
 * @example
 * const dev = await startDevPipeline({ durationMs: 20_000 }, logger);
 * console.log(dev.status());
 * await dev.close();
 */
export async function startDevPipeline(input: DevOptions, logger: Logger, hooks: DevPipelineHooks = {}): Promise<DevPipeline> {
  const options = parseDevOptions(input);
  const cwd = resolve(options.cwd);
  const dataDir = resolve(cwd, options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // `${env:DANUBE_DATA_DIR}` lets serverless.yml put local output under the data dir.
  const service = loadServiceFile(join(cwd, options.config), {
    env: { ...options.env, DANUBE_DATA_DIR: dataDir },
    params: options.params,
    ...(options.stage ? { stage: options.stage } : {}),
  });
  const danube = parseDanubeServiceOptions(service.custom.danube);
  const cleanups = new Cleanups(logger);
  const started = Date.now();
  try {
    const s = await startServices(options, dataDir, cleanups, logger);
    const tableName = checkpointTableName(danube, `${service.service}-${service.provider.stage}`);
    const ddb = new DynamoDBClient({ endpoint: s.dynamoDbEndpoint, ...s.localAws });
    await ensureCheckpointTable(ddb, tableName);
    ddb.destroy();
    const functionEnv = functionEnvironment(service, s, tableName, dataDir, options.token);
    Object.assign(process.env, functionEnv);
    const client = new DanubeClient({ serviceUrl: s.serviceUrl, ...(options.token ? { token: options.token } : {}), logger: logger.child({ part: 'client' }) });
    cleanups.add(() => client.close());
    const { active, loaded, disabled } = await loadFunctions(service, cwd, logger);

    // The relay's bindings, once: what is provisioned, watched and run.
    const timeoutOf = (fn: ServiceFunction) => Math.round((fn.timeout ?? service.provider.timeout ?? 6) * 1000);
    const plan = buildRelayConfig({
      functions: active,
      danube: { ...danube, serviceUrl: s.serviceUrl },
      defaultTimeoutSeconds: service.provider.timeout,
      target: {
        kind: 'local',
        moduleFor: (_key, fn) => ({ module: String(fn.handler).replace(/\.[^.]+$/, ''), export: String(fn.handler).split('.').pop()! }),
      },
      relayMode: 'local',
    });
    // Every bound topic, dead-letter topic and relay subscription exists, with its window and
    // ack timeout, before any source publishes: a new subscription starts at the latest message.
    const sourceDeadLetterTopics = [...loaded.values()].map((f) => f.source?.deadLetterTopic).filter((t): t is string => t !== undefined);
    const adminUrl = s.broker?.adminUrl ?? options.adminUrl ?? adminUrlFor(s.serviceUrl);
    await provisionForDev(plan.config.bindings, {
      deadLetterTopics: sourceDeadLetterTopics,
      adminUrl,
      ...(options.token ? { token: options.token } : {}),
      client,
      required: s.broker !== undefined,
      logger: logger.child({ part: 'provision' }),
    });
    const deadLetterFile = join(dataDir, 'dead-letters.jsonl');
    const dlqTopics = [
      ...new Set([...plan.config.bindings.map((b) => b.deadLetterTopic).filter((t): t is string => t !== undefined), ...sourceDeadLetterTopics]),
    ];
    const dlq = await watchDeadLetters(client, dlqTopics, deadLetterFile, logger.child({ part: 'dead-letters' }));
    cleanups.add(() => dlq.close());

    // Sinks behind the relay, in this process, called like Lambda calls them.
    const invokers: Record<string, Invoker> = {};
    for (const [binding, key] of plan.functionKeys) {
      const fn = active[key]!;
      const fnModule = loaded.get(key)!;
      invokers[binding] = fnModule.handler
        ? lambdaHandlerInvoker({ functionName: fn.name ?? key, timeoutMs: timeoutOf(fn), handler: fnModule.handler })
        : createLocalInvoker({ sink: fnModule.module.sink as never, timeoutMs: timeoutOf(fn) });
    }
    let relay: Relay | undefined;
    if (plan.raw.bindings.length) {
      const started = await startRelay({ ...plan.raw, drainTimeoutMs: options.drainTimeoutMs }, { client, logger: logger.child({ part: 'relay' }), invokers });
      cleanups.add(() => started.close());
      relay = started;
    }

    // Sources on their schedules.
    const scheduled: ScheduledFunction[] = [];
    for (const [key, fn] of Object.entries(active)) {
      const schedules = hasSchedule(fn) ? schedulesOf(fn).map((e) => parseSchedule(e)) : [];
      if (!schedules.length) continue;
      const fnModule = loaded.get(key)!;
      const store = () => new DynamoDbCheckpointStore({ tableName, endpoint: s.dynamoDbEndpoint, ...s.localAws });
      const handler =
        fnModule.handler ??
        ((_event: unknown, context: { getRemainingTimeInMillis(): number }) =>
          runSource(fnModule.source!, { client, store: store(), service: service.service, budgetMs: context.getRemainingTimeInMillis(), logger }));
      scheduled.push({ key, schedules, lambda: { functionName: fn.name ?? key, timeoutMs: timeoutOf(fn), handler } });
    }
    const scheduler = new SourceScheduler(scheduled, logger.child({ part: 'scheduler' }));
    cleanups.add(() => scheduler.stop());

    const previous = new Map<string, { acked: number; at: number }>();
    const feeders = sourceFeeders(service, loaded);
    // Files under the data dir that the functions were told to write (e.g. the example sink's).
    const outputs = Object.values(functionEnv).filter((v) => v.startsWith(`${dataDir}/`) && v !== dataDir);
    const files = [...outputs, deadLetterFile].map((f) => relative(cwd, f) || f);
    const pipeline: DevPipeline = {
      sourceNames: scheduled.map((f) => f.key),
      serviceUrl: s.serviceUrl,
      adminUrl,
      status: () => ({
        uptimeMs: Date.now() - started,
        brokerUrl: s.serviceUrl,
        dynamoDbEndpoint: s.dynamoDbEndpoint,
        sources: scheduler.status(),
        bindings: relay ? withInputs(withBrokerBacklog(bindingViews(relay.status().bindings, previous, Date.now()), s.broker), feeders) : [],
        deadLetters: withDeadLetterBacklog(dlq.status(), s.broker),
        disabled,
        warnings: plan.warnings,
        files,
      }),
      invoke: (name) => scheduler.runNow(name),
      parts: {
        client,
        broker: s.broker,
        adminUrl,
        service: service.service,
        relay,
        bindings: plan.config.bindings,
        functionOfBinding: plan.functionKeys,
        sources: scheduled.map(({ key }) => {
          const src = loaded.get(key)?.source;
          return src ? { function: key, source: { name: src.name, topic: src.topic, deadLetterTopic: src.deadLetterTopic } } : { function: key };
        }),
        checkpointStore: () => new DynamoDbCheckpointStore({ tableName, endpoint: s.dynamoDbEndpoint, ...s.localAws }),
      },
      close: () => cleanups.run(),
    };
    await hooks.beforeSources?.(pipeline);
    scheduler.start(options.runSourcesAtStart);
    return pipeline;
  } catch (err) {
    await cleanups.run();
    throw err;
  }
}

/** Writes `.danube/dev.json` so that `danube-connect invoke` finds the running pipeline. */
export function writeDevInfo(dataDir: string, info: { pid: number; url: string; serviceUrl?: string; adminUrl?: string }): () => void {
  const file = join(dataDir, 'dev.json');
  writeFileSync(file, `${JSON.stringify(info)}\n`);
  return () => rmSync(file, { force: true });
}
