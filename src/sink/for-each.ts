import { classifyError } from '../core/classify.js';
import type { ConnectorError } from '../core/errors.js';
import { booleanRule, checkOptions, intRule } from '../core/check-options.js';
import type { SinkRecord } from '../core/records.js';
import type { SinkContext, SinkHandler } from './define.js';
import type { SinkBatchItemFailure, SinkBatchResponse } from './event.js';
import { failure } from './run.js';

export interface ForEachRecordOptions {
  /** Records (or, when ordered, keys) worked on at the same time. */
  concurrency?: number;
  /**
   * Keep order per routing key (records without a key: per partition topic). When a record
   * fails with a retryable error, the later records of its key are reported failed without
   * running, so a retry replays them in order. An invalid record does not hold its key back.
   */
  ordered?: boolean;
}

export const DEFAULT_FOR_EACH_RECORD_OPTIONS: Required<ForEachRecordOptions> = Object.freeze({ concurrency: 1, ordered: true });

// Checked without zod: this file ends up in Worker bundles (see core/check-options.ts).
const FOR_EACH_RULES = {
  concurrency: intRule(DEFAULT_FOR_EACH_RECORD_OPTIONS.concurrency, 1, 1000),
  ordered: booleanRule(DEFAULT_FOR_EACH_RECORD_OPTIONS.ordered),
};

/** Fills defaults and rejects unknown keys, naming them. */
export function parseForEachRecordOptions(options: ForEachRecordOptions = {}): Required<ForEachRecordOptions> {
  return checkOptions(options, FOR_EACH_RULES, 'forEachRecord options');
}

/** A function for one record; throwing marks that record failed (never the whole batch, unless fatal). */
export type RecordHandler = (record: SinkRecord, ctx: SinkContext) => unknown | Promise<unknown>;

/**
 * Turns a per-record function into a batch handler that reports per-record failures.
 * An `InvalidRecordError` marks its record for the dead-letter topic; a retryable error marks it
 * for retry; a `FatalError` stops the batch and fails it whole. Once `ctx.signal` aborts (the
 * deadline is near) records not yet started are reported failed, so the finished work is kept.
 *
 * @example
 * export const sink = defineSink(forEachRecord(async (record) => {
 *   await fetch(url, { method: 'POST', body: record.payload });
 * }, { concurrency: 8, ordered: true }));
 */
export function forEachRecord(fn: RecordHandler, options: ForEachRecordOptions = {}): SinkHandler {
  const { concurrency, ordered } = parseForEachRecordOptions(options);
  return async (records: SinkRecord[], ctx: SinkContext): Promise<SinkBatchResponse> => {
    const failures = new Map<string, SinkBatchItemFailure>();
    let fatal: ConnectorError | undefined;

    // True when later records of the same key may run: it succeeded, or it can never succeed
    // (an invalid record is dead-lettered, so running its successors keeps the order intact).
    const runOne = async (record: SinkRecord): Promise<boolean> => {
      if (fatal || ctx.signal.aborted) {
        failures.set(record.id, {
          itemIdentifier: record.id,
          reason: 'retryable',
          message: fatal ? 'not run: the batch stopped on a fatal error' : 'not run: deadline reached',
        });
        return false;
      }
      try {
        await fn(record, ctx);
        return true;
      } catch (err) {
        const error = classifyError(err);
        if (error.kind === 'fatal') fatal ??= error;
        failures.set(record.id, failure(record.id, error));
        return error.kind === 'invalid';
      }
    };

    // Work units: one record each, or when ordered, the records of one key in batch order.
    const lanes: SinkRecord[][] = ordered ? [...groupByKey(records).values()] : records.map((r) => [r]);
    const runLane = async (lane: SinkRecord[]) => {
      for (let i = 0; i < lane.length; i++) {
        if (await runOne(lane[i]!)) continue;
        for (const later of lane.slice(i + 1)) {
          failures.set(later.id, { itemIdentifier: later.id, reason: 'retryable', message: `not run: earlier record ${lane[i]!.id} of the same key failed` });
        }
        return;
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < lanes.length) await runLane(lanes[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, lanes.length) }, worker));
    if (fatal) throw fatal;
    // Report in batch order so the answer reads like the batch.
    return { batchItemFailures: records.flatMap((r) => failures.get(r.id) ?? []) };
  };
}

function groupByKey(records: SinkRecord[]): Map<string, SinkRecord[]> {
  const lanes = new Map<string, SinkRecord[]>();
  for (const r of records) {
    const key = r.routingKey !== undefined ? `k:${r.routingKey}` : `t:${r.topic}`;
    const lane = lanes.get(key);
    if (lane) lane.push(r);
    else lanes.set(key, [r]);
  }
  return lanes;
}
