import { randomUUID } from 'node:crypto';
import type { CheckpointStore } from '../../checkpoint/store.js';
import { checkOptions, functionRule, instanceRule, intRule, loggerRule, optional, stringOrNumberRule, stringRule } from '../../core/check-options.js';
import { createLogger, type Logger } from '../../core/logger.js';
import type { Source } from '../../source/define-source.js';
import type { SourceClient } from '../../source/publisher.js';
import type { SourceRunSummary } from '../../source/summary.js';
import type { SecretReader } from '../connection.js';
import { runSource, SourceHost } from '../source-host.js';

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

const SCHEDULED_SOURCE_RULES = {
  budgetMs: optional(intRule(0, 1)),
  client: instanceRule('a Danube client'),
  secretReader: instanceRule('a secret reader'),
  store: instanceRule('a checkpoint store'),
  service: optional(stringRule('')),
  partition: stringOrNumberRule(),
  safetyMarginMs: optional(intRule(0, 0)),
  logger: loggerRule(),
  onSummary: optional(functionRule(() => undefined)),
};

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
  checkOptions(options, SCHEDULED_SOURCE_RULES, 'scheduledSource options');
  const logger = options.logger ?? createLogger({ name: `source:${source.name}` });
  const host = new SourceHost(options);

  return {
    async scheduled(controller: ScheduledControllerLike, env: Record<string, unknown> = {}, ctx?: ExecutionContextLike): Promise<void> {
      const { client, store, service } = host.parts({ ...process.env, ...env }, logger);
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
    dispose: (): Promise<void> => host.dispose(),
  };
}
