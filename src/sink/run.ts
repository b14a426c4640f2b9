import { classifyError } from '../core/classify.js';
import { ConnectorError, InvalidRecordError, RetryableError, type ErrorKind } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { SinkRecord } from '../core/records.js';
import type { Sink, SinkContext } from './define.js';
import { decodeSinkBatch, parseSinkBatchResponse, type DecodedSinkBatch, type SinkBatchItemFailure, type SinkBatchResponse } from './event.js';
import { quietLogger } from './quiet-logger.js';
import { tracingRegistered } from '../core/tracing.js';
import { startSinkTrace, type SinkTrace } from './tracing.js';

export interface RunSinkOptions {
  logger?: Logger;
  /** When the platform stops the function, in ms since the epoch. */
  deadline?: number;
  /** Outer cancellation (e.g. the relay shutting down). */
  signal?: AbortSignal;
  now?: () => number;
  /** Handed to the handler as `ctx.env` (a Worker's bindings). */
  env?: unknown;
}

/** The normalized result of one invocation, shared by every adapter and the relay's local invoker. */
export interface SinkOutcome {
  /** `success`: every record done; `partial`: `failures` failed, the rest done; `failed`: none done. */
  status: 'success' | 'partial' | 'failed';
  failures: SinkBatchItemFailure[];
  /** Why the whole batch failed (status `failed`). */
  error?: ConnectorError;
  records: number;
  durationMs: number;
}

/**
 * Runs a sink on one batch: decodes the event (or takes decoded records), applies the sink's
 * transforms, calls the handler with a deadline signal and checks its answer. A malformed event
 * throws `SinkEventError`; everything else becomes a {@link SinkOutcome}.
 *
 * @example
 * const outcome = await runSink(sink, event, { deadline: Date.now() + 30_000, logger });
 * if (outcome.status === 'failed') retry(outcome.error);
 */
export async function runSink(sink: Sink, input: unknown, options: RunSinkOptions = {}): Promise<SinkOutcome> {
  const now = options.now ?? Date.now;
  const started = now();
  const batch = isDecoded(input) ? input : await decodeSinkBatch(input);
  const total = batch.records.length + batch.undecodable.length;
  const logger = (options.logger ?? quietLogger).child({ sink: sink.options.name, binding: batch.binding });
  const failures: SinkBatchItemFailure[] = batch.undecodable.map(({ id, error }) => failure(id, error));
  const trace: SinkTrace | undefined = tracingRegistered() ? await startSinkTrace(sink.options.name, batch, batch.records) : undefined;
  const finish = (status: SinkOutcome['status'], error?: ConnectorError): SinkOutcome => {
    const outcome: SinkOutcome = { status, failures: status === 'failed' ? [] : failures, records: total, durationMs: now() - started };
    if (error) outcome.error = error;
    trace?.end(outcome);
    return outcome;
  };

  const records: SinkRecord[] = [];
  for (const record of batch.records) {
    try {
      let current = record;
      // Not applyTransforms(): core/transforms pulls in ajv, which must stay out of Worker bundles.
      for (const transform of sink.options.transforms) current = await transform(current);
      records.push(current);
    } catch (err) {
      const error = classifyError(err);
      if (error.kind === 'fatal') return finish('failed', error);
      failures.push(failure(record.id, error));
    }
  }
  if (records.length === 0) return finish(failures.length === 0 ? 'success' : 'partial');

  const deadline = options.deadline ?? started + sink.options.defaultTimeoutMs;
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onOuterAbort();
  else options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const softTimer = setTimeout(
    () => controller.abort(new RetryableError('sink deadline is near')),
    Math.max(0, deadline - sink.options.deadlineMarginMs - now()),
  );
  let hardTimer: ReturnType<typeof setTimeout> | undefined;
  const ctx: SinkContext = {
    binding: batch.binding,
    subscription: batch.subscription,
    topic: batch.topic,
    logger,
    signal: controller.signal,
    deadline,
    attempt: records.reduce((max, r) => Math.max(max, r.attempt), 1),
  };
  if (options.env !== undefined) ctx.env = options.env;
  try {
    // A handler that ignores its signal must not hold the caller (e.g. the relay) past the deadline.
    const overdue = new Promise<never>((_, reject) => {
      hardTimer = setTimeout(
        () => reject(new RetryableError(`sink did not finish before its deadline (${deadline - started} ms)`)),
        Math.max(0, deadline - now()),
      );
    });
    const handled = trace ? trace.with(() => sink.handler(records, ctx)) : sink.handler(records, ctx);
    const answer = await Promise.race([Promise.resolve(handled), overdue]);
    const parsed = parseSinkBatchResponse(
      answer ?? undefined,
      records.map((r) => r.id),
    );
    if (!parsed.ok) return finish('failed', new RetryableError(`sink answer rejected, whole batch failed: ${parsed.error}`));
    for (const f of parsed.failures) failures.push(f.reason ? f : { ...f, reason: 'retryable' });
    return finish(failures.length === 0 ? 'success' : 'partial');
  } catch (err) {
    const error = classifyError(err);
    // One bad record named by the handler: dead-letter it and retry the others, which may or may
    // not have been written (at-least-once), instead of failing the batch forever.
    const recordId = error.kind === 'invalid' ? (error as InvalidRecordError).recordId : undefined;
    if (recordId !== undefined && records.some((r) => r.id === recordId)) {
      for (const r of records) {
        failures.push(
          r.id === recordId
            ? failure(r.id, error)
            : { itemIdentifier: r.id, reason: 'retryable', message: `not confirmed: the batch stopped at invalid record ${recordId}` },
        );
      }
      logger.warn({ recordId, err: error.message }, 'invalid record; the rest of the batch is retried');
      return finish('partial');
    }
    logger.error({ err: error.message, kind: error.kind }, 'sink failed the whole batch');
    return finish('failed', error);
  } finally {
    clearTimeout(softTimer);
    clearTimeout(hardTimer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * The AWS partial-batch response of an outcome; a failed outcome throws its error, which is how
 * a function says "the whole batch failed" on every platform.
 */
export function toSinkBatchResponse(outcome: SinkOutcome): SinkBatchResponse {
  if (outcome.status === 'failed') throw outcome.error ?? new RetryableError('sink failed');
  return { batchItemFailures: outcome.failures };
}

/** A per-record failure entry with its kind and a short message. */
export function failure(id: string, err: unknown, reason?: ErrorKind): SinkBatchItemFailure {
  const error = classifyError(err);
  return { itemIdentifier: id, reason: reason ?? error.kind, message: error.message.slice(0, 500) };
}

function isDecoded(input: unknown): input is DecodedSinkBatch {
  return typeof input === 'object' && input !== null && Array.isArray((input as DecodedSinkBatch).undecodable);
}
