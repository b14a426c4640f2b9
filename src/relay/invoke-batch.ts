import type { Logger } from '../core/logger.js';
import type { Transform } from '../core/transforms.js';
import type { BindingConfig } from './config-schema.js';
import { InvokeError } from './errors.js';
import type { InvokeBatch, Invoker } from './invokers/types.js';
import { addByReason, type RelayMetrics } from './metrics.js';
import type { RelayDelivery } from './ports.js';
import { outcomeOf, prepareBatch } from './prepare-batch.js';
import type { BatchOutcome } from './settle-batch.js';
import type { TrackedRecord } from './tracked-record.js';
import type { BatchTrace } from './tracing.js';

export interface InvokeBatchContext {
  binding: BindingConfig;
  invoker: Invoker;
  transforms: readonly Transform[];
  metrics: RelayMetrics;
  /** Aborts the invocation (shutdown past the drain timeout). */
  signal: AbortSignal;
  now: () => number;
  log: Logger;
  /** Told when the function cannot be reached as configured (for the binding's status). */
  onUnreachable: (message: string) => void;
  /** The batch's spans, when it is traced. */
  trace?: BatchTrace | undefined;
}

/**
 * One invocation of a binding's function: prepares the records (attempt, transforms), invokes,
 * records the invocation metrics, and turns whatever happened into a {@link BatchOutcome}.
 * Never throws for an invocation failure: that is an outcome.
 */
export async function invokeBatch(records: TrackedRecord<RelayDelivery & { offset: bigint }>[], ctx: InvokeBatchContext): Promise<BatchOutcome> {
  const b = ctx.binding;
  const m = ctx.metrics;
  const labels = { binding: b.name };
  const prepared = await prepareBatch(records, ctx.transforms, !ctx.invoker.remote);
  if (prepared.fatal) return { type: 'failure', error: prepared.fatal, errorClass: 'FatalError' };
  if (prepared.records.length === 0) return outcomeOf({ failures: [] }, prepared.invalid);
  m.counts(b.name).invocations++;
  m.batchSize.observe(labels, prepared.records.length);
  const started = performance.now();
  let outcome: BatchOutcome;
  try {
    const batch: InvokeBatch = {
      meta: { binding: b.name, topic: b.topic, subscription: b.subscription.name },
      records: prepared.records,
      signal: ctx.signal,
      deadline: ctx.now() + b.function.timeoutMs,
      logger: ctx.log,
    };
    const result = await (ctx.trace ? ctx.trace.invoke(batch, (traced) => ctx.invoker.invoke(traced)) : ctx.invoker.invoke(batch));
    outcome = outcomeOf(result, prepared.invalid);
  } catch (err) {
    const e = err instanceof InvokeError ? err : new InvokeError((err as Error)?.message ?? String(err), 'function-error', 'retryable', { cause: err });
    addByReason(m.counts(b.name).invocationFailures, e.reason);
    // A function that cannot be reached as configured (no such module or function, access
    // denied, signature refused) is no fault of the records: they are retried without using up
    // their budget, so a deployment mistake never empties a topic into the dead-letter topic.
    const notTheRecords = e.reason === 'throttled' || e.reason === 'config';
    if (e.reason === 'config') {
      ctx.onUnreachable(e.message);
      ctx.log.error({ err: e.message }, 'the function cannot be invoked as configured; records are kept and retried');
    }
    // The function's own error class when the invoker saw it (a local sink's throw), else the invoke error's.
    const errorClass = e.cause instanceof Error ? e.cause.name : e.name;
    outcome = {
      type: 'failure',
      error: e.message,
      errorClass,
      throttled: notTheRecords,
      ...(e.retryAfterMs === undefined ? {} : { retryAfterMs: e.retryAfterMs }),
    };
  }
  m.invokeLatency.observe(labels, (performance.now() - started) / 1000);
  return outcome;
}
