import { randomUUID } from 'node:crypto';
import type { CheckpointStore } from '../../checkpoint/store.js';
import { createLogger, type Logger } from '../../core/logger.js';
import type { Source } from '../../source/define-source.js';
import { createSourceResources, type SourceResources } from '../../source/resources.js';
import { sourceSettingsFromEnv } from '../../source/settings.js';
import type { SourceClient } from '../../source/publisher.js';
import { runSource } from '../../source/runner.js';
import type { SourceRunSummary } from '../../source/summary.js';
import { danubeConnectionFromEnv, type SecretReader } from '../connection.js';

/** The `controller` a Cloudflare cron trigger passes to `scheduled()`. */
export interface ScheduledControllerLike {
  /** When the trigger was due, ms since the epoch. */
  readonly scheduledTime: number;
  /** The cron expression that fired. */
  readonly cron: string;
  noRetry?(): void;
}

/** The `ctx` of a Worker handler. */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException?(): void;
}

export interface ScheduledSourceOptions {
  /** Time one run may take, ms (default {@link DEFAULT_SCHEDULED_BUDGET_MS}). */
  budgetMs?: number;
  /**
   * Defaults to a `DanubeClient` from the `DANUBE_SERVICE_URL` and `DANUBE_TLS_CA` bindings /
   * variables, with the token from `DANUBE_TOKEN` or read once per process from
   * `DANUBE_TOKEN_SSM_PARAMETER` / `DANUBE_TOKEN_SECRET_ID` (see `danubeConnectionFromEnv`).
   */
  client?: SourceClient;
  /** Reads a token stored in SSM / Secrets Manager (default: the AWS SDK). */
  secretReader?: SecretReader;
  /** Defaults to the DynamoDB table `DANUBE_CHECKPOINT_TABLE` (endpoint `AWS_ENDPOINT_URL_DYNAMODB`). */
  store?: CheckpointStore;
  /** Checkpoint key prefix; defaults to `DANUBE_SERVICE`. */
  service?: string;
  /** Input partition, for a source deployed once per partition: the key becomes `<service>/<source>#<partition>`. */
  partition?: string | number;
  safetyMarginMs?: number;
  logger?: Logger;
  /** Called with every run's summary (e.g. to export metrics). */
  onSummary?: (summary: SourceRunSummary) => void;
}

export const DEFAULT_SCHEDULED_BUDGET_MS = 30_000;

/**
 * A Cloudflare-style `{ scheduled(controller, env, ctx) }` handler that runs a source once per cron
 * trigger, for Node hosts that speak the Workers module interface. Settings come from `env`
 * (falling back to `process.env`); the run is registered with `ctx.waitUntil` so the host keeps
 * it alive; a failed run rejects, so the host records the trigger as failed.
 *
 * @example
 * export default scheduledSource(orders, { budgetMs: 25_000 });
 */
export function scheduledSource<C>(source: Source<C>, options: ScheduledSourceOptions = {}) {
  const logger = options.logger ?? createLogger({ name: `source:${source.name}` });
  let resources: SourceResources | undefined;

  return {
    async scheduled(controller: ScheduledControllerLike, env: Record<string, unknown> = {}, ctx?: ExecutionContextLike): Promise<void> {
      let client = options.client;
      let store = options.store;
      let service = options.service;
      if (!client || !store || !service) {
        const vars = { ...process.env, ...env };
        const settings = sourceSettingsFromEnv(vars);
        const given = options.client;
        resources ??= createSourceResources(settings, {
          logger,
          ...(given ? { client: given } : { connection: danubeConnectionFromEnv(vars, options.secretReader ? { reader: options.secretReader } : {}) }),
          ...(options.store ? { store: options.store } : {}),
        });
        client = resources.client;
        store = resources.store;
        service ??= settings.service;
      }
      const run = runSource(source, {
        client,
        store,
        service,
        budgetMs: options.budgetMs ?? DEFAULT_SCHEDULED_BUDGET_MS,
        owner: `scheduled:${controller.cron}:${controller.scheduledTime}:${randomUUID().slice(0, 8)}`,
        logger: logger.child({ cron: controller.cron, scheduledTime: new Date(controller.scheduledTime).toISOString() }),
        ...(options.safetyMarginMs !== undefined ? { safetyMarginMs: options.safetyMarginMs } : {}),
        ...(options.partition !== undefined ? { partition: options.partition } : {}),
      });
      ctx?.waitUntil(run.catch(() => undefined));
      const summary = await run;
      options.onSummary?.(summary);
    },
    /** Closes the client and store made from the environment (Node hosts, tests). */
    async dispose(): Promise<void> {
      const made = resources;
      resources = undefined;
      await made?.close();
    },
  };
}
