import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { CheckpointStore } from '../../checkpoint/store.js';
import { createLogger, type Logger } from '../../core/logger.js';
import type { Source } from '../../source/define-source.js';
import { createSourceResources, type SourceResources } from '../../source/resources.js';
import { sourceSettingsFromEnv } from '../../source/settings.js';
import type { SourceClient } from '../../source/publisher.js';
import { runSource } from '../../source/runner.js';
import type { SourceRunSummary } from '../../source/summary.js';
import { danubeConnectionFromEnv, type SecretReader } from '../connection.js';

export interface LambdaSourceOptions {
  /**
   * Defaults to a `DanubeClient` from `DANUBE_SERVICE_URL`, `DANUBE_TLS_CA` and the token from
   * `DANUBE_TOKEN`, or read once per cold start from `DANUBE_TOKEN_SSM_PARAMETER` /
   * `DANUBE_TOKEN_SECRET_ID` (see `danubeConnectionFromEnv`).
   */
  client?: SourceClient;
  /** Defaults to the DynamoDB table `DANUBE_CHECKPOINT_TABLE` (endpoint `AWS_ENDPOINT_URL_DYNAMODB`). */
  store?: CheckpointStore;
  /** Checkpoint key prefix; defaults to `DANUBE_SERVICE`. */
  service?: string;
  /** Input partition, for a source deployed once per partition: the key becomes `<service>/<source>#<partition>`. */
  partition?: string | number;
  /** Kept free before the Lambda timeout to commit and release (see `runSource`). */
  safetyMarginMs?: number;
  leaseMs?: number;
  logger?: Logger;
  /** Environment to read instead of `process.env` (tests). */
  env?: Record<string, string | undefined>;
  /** Reads a token stored in SSM / Secrets Manager (default: the AWS SDK). */
  secretReader?: SecretReader;
}

/** What the handler accepts: the EventBridge scheduled event, or any JSON for a manual invoke. */
export type SourceInvocationEvent = ScheduledEvent | Record<string, unknown> | null | undefined;

/**
 * A Lambda handler (middy) that runs a source once per invocation, for a `schedule` event.
 * The time budget is the invocation's remaining time; the lease owner is the request id, so an
 * invocation that Lambda retries after a crash gets its own lease back at once. The handler
 * returns the run summary; a failed run throws, so Lambda's retry policy applies.
 *
 * @example
 * export const handler = lambdaSource(orders);
 */
export function lambdaSource<C>(source: Source<C>, options: LambdaSourceOptions = {}) {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger({ name: `source:${source.name}` });
  // Made on the first invocation and kept while the container stays warm.
  let resources: SourceResources | undefined;
  const resolve = (): { client: SourceClient; store: CheckpointStore; service: string } => {
    if (options.client && options.store && options.service) return { client: options.client, store: options.store, service: options.service };
    const settings = sourceSettingsFromEnv(env);
    resources ??= createSourceResources(settings, {
      logger,
      ...(options.client ? { client: options.client } : { connection: danubeConnectionFromEnv(env, reader(options)) }),
      ...(options.store ? { store: options.store } : {}),
    });
    return { client: resources.client, store: resources.store, service: options.service ?? settings.service };
  };

  const handler = middy<SourceInvocationEvent, SourceRunSummary, Error, Context>().handler(async (event, context, { signal }) => {
    const { client, store, service } = resolve();
    const scheduled = event && typeof event === 'object' && event['detail-type'] === 'Scheduled Event' ? (event as ScheduledEvent) : undefined;
    const log = logger.child({
      requestId: context.awsRequestId,
      ...(scheduled ? { scheduledAt: scheduled.time, rule: scheduled.resources?.[0] } : {}),
    });
    return runSource(source, {
      client,
      store,
      service,
      budgetMs: Math.max(1, context.getRemainingTimeInMillis()),
      owner: `lambda:${context.functionName}:${context.awsRequestId}`,
      logger: log,
      signal,
      ...(options.safetyMarginMs !== undefined ? { safetyMarginMs: options.safetyMarginMs } : {}),
      ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
      ...(options.partition !== undefined ? { partition: options.partition } : {}),
    });
  });
  /** Closes the client and store this handler made from the environment (local hosts, tests). */
  const dispose = async (): Promise<void> => {
    const made = resources;
    resources = undefined;
    await made?.close();
  };
  return Object.assign(handler, { dispose });
}

function reader(options: { secretReader?: SecretReader }): { reader?: SecretReader } {
  return options.secretReader ? { reader: options.secretReader } : {};
}
