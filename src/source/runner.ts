import { CheckpointStoreError, LeaseHeldError } from '../checkpoint/errors.js';
import { checkpointKey, type Lease } from '../checkpoint/types.js';
import { stringifyJson } from '../core/bytes.js';
import { FatalError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { retry } from '../core/retry.js';
import type { PollResult, Source } from './define-source.js';
import { SourceRunError } from './errors.js';
import { LeaseKeeper } from './lease-keeper.js';
import { BatchPublisher } from './publisher.js';
import { parseSourceRunOptions, type ResolvedSourceRunOptions, type SourceRunOptions } from './run-options.js';
import type { SourceRunSummary } from './summary.js';
import { startSourceRunTrace, step, type SourceRunTrace } from './tracing.js';

/**
 * Runs a source once, as a scheduled invocation does: take the lease on its checkpoint, then
 * poll → publish → wait until the broker accepted every record → commit the checkpoint, until
 * the source is done or the time budget (minus a safety margin) is spent; release the lease.
 *
 * - Another run holds the lease: nothing is published; the summary says `lease-held`.
 * - A failed publish or a fatal error: the checkpoint stays where it was and the returned
 *   promise rejects with a {@link SourceRunError} (so the platform's retry policy applies).
 *   Records published before the failure are published again by the next run, with the same
 *   `x-danube-record-id`: duplicates are possible, gaps are not.
 *
 * @example
 * const summary = await runSource(orders, { client, store, budgetMs: 60_000, logger });
 * logger.info(summary, `published ${summary.recordsPublished} records`);
 */
export async function runSource<C>(source: Source<C>, options: SourceRunOptions): Promise<SourceRunSummary> {
  const o = parseSourceRunOptions(options);
  const key = checkpointKey({ service: o.service, source: source.name, ...(o.partition !== undefined ? { partition: o.partition } : {}) });
  const trace = await startSourceRunTrace(source.name, key);
  return trace ? trace.around(() => run(source, o, key, trace)) : run(source, o, key, undefined);
}

async function run<C>(source: Source<C>, o: ResolvedSourceRunOptions, key: string, trace: SourceRunTrace | undefined): Promise<SourceRunSummary> {
  const started = o.clock();
  const logger = o.logger.child({ source: source.name, key, owner: o.owner });
  const summary: SourceRunSummary = {
    source: source.name,
    key,
    owner: o.owner,
    stopReason: 'done',
    recordsPublished: 0,
    recordsDeadLettered: 0,
    batches: 0,
    checkpointBefore: undefined,
    checkpointAfter: undefined,
    retries: 0,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
  };
  const finish = () => ((summary.durationMs = o.clock() - started), summary);

  let lease: Lease<C>;
  try {
    // Throttling or a network blip retries; a held lease does not (it is an answer, not a failure).
    lease = await retry(() => o.store.acquireLease<C>(key, { owner: o.owner, ttlMs: o.leaseMs }), source.retry, {
      shouldRetry: (err) => err instanceof CheckpointStoreError && err.retryable,
      ...(o.signal ? { signal: o.signal } : {}),
    });
  } catch (err) {
    if (!(err instanceof LeaseHeldError)) return fail(summary, finish, logger, `could not take the lease on ${key}`, err);
    summary.stopReason = 'lease-held';
    summary.leaseHeldBy = err.owner;
    summary.leaseHeldUntil = new Date(err.leaseUntil).toISOString();
    logger.warn(finish(), `another run (${err.owner}) holds the lease until ${summary.leaseHeldUntil}: nothing published`);
    return summary;
  }
  summary.checkpointBefore = summary.checkpointAfter = lease.checkpoint;
  summary.versionBefore = summary.versionAfter = lease.version.toString();

  const publisher = new BatchPublisher(source as Source<unknown>, o.client, logger, trace);
  const keeper = new LeaseKeeper(o.store, lease, o.leaseMs, logger);
  keeper.start();
  let failure: unknown;
  try {
    summary.stopReason = await loop(source, o, logger, keeper, publisher, summary, trace);
  } catch (err) {
    failure = err;
  } finally {
    await sourceHook(logger, 'onRunEnd', () => source.onRunEnd?.());
    await keeper.stop();
    await publisher.close();
    try {
      await o.store.releaseLease(keeper.lease);
    } catch (err) {
      // The lease runs out by itself; a failed release only delays the next run.
      logger.warn({ err }, 'could not release the lease');
    }
  }
  if (failure !== undefined) {
    const where = summary.batches === 0 ? 'checkpoint left where it was' : `checkpoint left at the last committed batch (version ${summary.versionAfter})`;
    return fail(summary, finish, logger, `run failed; ${where}`, failure);
  }
  logger.info(finish(), `source run ended (${summary.stopReason}): ${summary.recordsPublished} records in ${summary.batches} batches`);
  return summary;
}

async function loop<C>(
  source: Source<C>,
  o: ResolvedSourceRunOptions,
  logger: Logger,
  keeper: LeaseKeeper<C>,
  publisher: BatchPublisher,
  summary: SourceRunSummary,
  trace: SourceRunTrace | undefined,
): Promise<SourceRunSummary['stopReason']> {
  const deadline = o.clock() + o.budgetMs - o.safetyMarginMs;
  const first = keeper.lease;
  let checkpoint = first.checkpoint !== undefined ? first.checkpoint : source.initialCheckpoint;
  let longestBatchMs = 0;
  for (;;) {
    const batchStart = o.clock();
    // Do not start a batch that, judging by the slowest one so far, cannot finish in time.
    if (o.signal?.aborted || batchStart + longestBatchMs >= deadline) return 'budget';

    const result = await step(
      trace,
      'poll',
      () => poll(source, checkpoint, deadline - batchStart, o, logger, summary),
      (r, span) => {
        if (r !== 'budget') span.setAttribute('danube.source.records_polled', r.records.length);
      },
    );
    if (result === 'budget') return 'budget';
    const idle = result.records.length === 0 && stringifyJson(result.checkpoint) === stringifyJson(checkpoint);
    if (idle) return 'done';

    // Another run took over while we polled: publishing would only make duplicates.
    keeper.throwIfLost();
    const outcome = await publisher.publish(result.records, checkpoint, o.signal);
    summary.retries += outcome.retries;
    const lease = await step(
      trace,
      'commit',
      () => keeper.commit(result.checkpoint),
      (l, span) => span.setAttribute('danube.source.checkpoint_version', l.version.toString()),
    );
    checkpoint = result.checkpoint;
    await sourceHook(logger, 'onCommitted', () => source.onCommitted?.(result.checkpoint));
    summary.recordsPublished += outcome.published;
    summary.recordsDeadLettered += outcome.deadLettered;
    summary.batches++;
    summary.checkpointAfter = lease.checkpoint;
    summary.versionAfter = lease.version.toString();
    longestBatchMs = Math.max(longestBatchMs, o.clock() - batchStart);
    logger.debug({ records: result.records.length, version: summary.versionAfter, ms: o.clock() - batchStart }, 'batch committed');
    if (result.done) return 'done';
  }
}

/** Runs a source's optional hook; its failure is logged, never fails the run. */
async function sourceHook(logger: Logger, name: string, call: () => void | Promise<void>): Promise<void> {
  try {
    await call();
  } catch (err) {
    logger.warn({ err }, `source ${name} hook failed`);
  }
}

/** One poll, retried with backoff while it fails retryably; 'budget' when the budget ran out. */
async function poll<C>(
  source: Source<C>,
  checkpoint: C | undefined,
  remainingMs: number,
  o: ResolvedSourceRunOptions,
  logger: Logger,
  summary: SourceRunSummary,
): Promise<PollResult<C> | 'budget'> {
  const budget = AbortSignal.timeout(Math.max(1, remainingMs));
  const signal = o.signal ? AbortSignal.any([budget, o.signal]) : budget;
  let result: PollResult<C>;
  try {
    result = await retry((_attempt) => source.poll({ checkpoint, signal, logger }), source.retry, {
      signal,
      onRetry: ({ err, attempt, delayMs }) => {
        summary.retries++;
        logger.warn({ err, attempt, delayMs }, 'poll failed, retrying');
      },
    });
  } catch (err) {
    if (signal.aborted) return 'budget';
    throw err;
  }
  if (!result || !Array.isArray(result.records)) throw new FatalError(`source ${source.name}: poll must return { records: [...], checkpoint }`);
  if (result.checkpoint === undefined) throw new FatalError(`source ${source.name}: poll returned no checkpoint`);
  return result;
}

function fail(summary: SourceRunSummary, finish: () => SourceRunSummary, logger: Logger, what: string, err: unknown): never {
  const reason = err instanceof Error ? err.message : String(err);
  summary.stopReason = 'error';
  summary.error = reason;
  logger.error({ ...finish(), err }, `source ${summary.source}: ${what}: ${reason}`);
  throw new SourceRunError(`source ${summary.source}: ${what}: ${reason}`, summary, err);
}
