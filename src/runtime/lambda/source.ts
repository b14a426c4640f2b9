import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { CheckpointStore } from '../../checkpoint/store.js';
import { checkOptions, instanceRule, intRule, loggerRule, objectRule, optional, stringOrNumberRule, stringRule } from '../../core/check-options.js';
import type { Logger } from '../../core/logger.js';
import type { Source } from '../../source/define-source.js';
import type { SourceClient } from '../../source/publisher.js';
import type { SourceRunSummary } from '../../source/summary.js';
import type { SecretReader } from '../connection.js';
import { defaultLogger } from '../default-logger.js';
import type { SourceHost } from '../source-host.js';
import type { LambdaHandler, ScheduledEventLike } from './context.js';

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
  /** Defaults to a JSON logger on stdout (CloudWatch) named after the source. */
  logger?: Logger;
  /** Environment to read instead of `process.env` (tests). */
  env?: Record<string, string | undefined>;
  /** Reads a token stored in SSM / Secrets Manager (default: the AWS SDK). */
  secretReader?: SecretReader;
}

const SOURCE_ADAPTER_RULES = {
  client: instanceRule('a Danube client'),
  store: instanceRule('a checkpoint store'),
  service: optional(stringRule('')),
  partition: stringOrNumberRule(),
  safetyMarginMs: optional(intRule(0, 0)),
  leaseMs: optional(intRule(0, 1)),
  logger: loggerRule(),
  env: optional(objectRule({})),
  secretReader: instanceRule('a secret reader'),
};

/** What the handler accepts: the EventBridge scheduled event, or any JSON for a manual invoke. */
export type SourceInvocationEvent = ScheduledEventLike | Record<string, unknown> | null | undefined;

/** A source's Lambda handler; `dispose()` closes the client and store it made (local hosts, tests). */
export type LambdaSourceHandler = LambdaHandler<SourceInvocationEvent, SourceRunSummary> & { dispose(): Promise<void> };

/**
 * A Lambda handler (middy) that runs a source once per invocation, for a `schedule` event.
 * The time budget is the invocation's remaining time; the lease owner is the request id, so an
 * invocation that Lambda retries after a crash gets its own lease back at once. The handler
 * returns the run summary; a failed run throws, so Lambda's retry policy applies. The client,
 * the checkpoint store and the runner are loaded on the first invocation and kept while the
 * function stays warm.
 *
 * @example
 * export const handler = lambdaSource(orders);
 */
export function lambdaSource<C>(source: Source<C>, options: LambdaSourceOptions = {}): LambdaSourceHandler {
  checkOptions(options, SOURCE_ADAPTER_RULES, 'lambdaSource options');
  const env = options.env ?? process.env;
  let loaded: Promise<{ host: SourceHost; runSource: typeof import('../source-host.js').runSource; logger: Logger }> | undefined;
  const load = () =>
    (loaded ??= (async () => {
      const { SourceHost, runSource } = await import('../source-host.js');
      const logger = options.logger ?? (await defaultLogger({ name: `source:${source.name}` }));
      return { host: new SourceHost(options), runSource, logger };
    })());

  const handler = middy<SourceInvocationEvent, SourceRunSummary, Error, Context>().handler(async (event, context, { signal }) => {
    const { host, runSource, logger } = await load();
    const { client, store, service } = host.parts(env, logger);
    const scheduled = event && typeof event === 'object' && event['detail-type'] === 'Scheduled Event' ? (event as ScheduledEventLike) : undefined;
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
  const dispose = async (): Promise<void> => {
    const made = loaded;
    loaded = undefined;
    await (await made)?.host.dispose();
  };
  const run: LambdaHandler<SourceInvocationEvent, SourceRunSummary> = (event, context) => handler(event, context as Context);
  return Object.assign(run, { dispose });
}
