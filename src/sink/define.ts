import type { Logger } from '../core/logger.js';
import { checkOptions, functionsRule, numberRule, stringRule } from '../core/check-options.js';
import type { SinkRecord } from '../core/records.js';
import type { Transform } from '../core/transforms.js';
import type { SinkBatchResponse } from './event.js';

/** What a sink function is told about the batch it handles. */
export interface SinkContext {
  /** The relay binding that sent the batch. */
  binding: string;
  subscription: string;
  /** The logical topic of the binding. */
  topic: string;
  logger: Logger;
  /** Aborts a little before `deadline`: stop starting new work, report what is left as failed. */
  signal: AbortSignal;
  /** When the platform stops the function, in ms since the epoch. */
  deadline: number;
  /** The highest delivery attempt among the records (1 = first delivery). */
  attempt: number;
  /** The Worker's `env` (bindings, secrets) under the Cloudflare adapters; undefined elsewhere. */
  env?: unknown;
}

/** What a handler may return: nothing (all succeeded) or the AWS partial-batch response. */
export type SinkResult = void | undefined | SinkBatchResponse;

/** A sink function: plain, testable, runtime-free. */
export type SinkHandler = (records: SinkRecord[], ctx: SinkContext) => SinkResult | Promise<SinkResult>;

/**
 * A per-record step applied before the handler (see `src/core/transforms.ts`): returns the record
 * to hand on, or throws (`InvalidRecordError` marks only that record).
 */
export type SinkTransform = Transform;

export interface SinkOptions {
  /** Shown in logs. */
  name?: string;
  /** Applied in order to each record before the handler sees it. */
  transforms?: SinkTransform[];
  /** The handler's `signal` aborts this long before the deadline. */
  deadlineMarginMs?: number;
  /** Deadline when the runtime gives none (e.g. a plain HTTP server). */
  defaultTimeoutMs?: number;
}

export type ParsedSinkOptions = Required<Omit<SinkOptions, 'name'>> & { name: string };

export const DEFAULT_SINK_OPTIONS: ParsedSinkOptions = Object.freeze({
  name: 'sink',
  transforms: [],
  deadlineMarginMs: 500,
  defaultTimeoutMs: 60_000,
});

// Checked without zod: this file ends up in Worker bundles (see core/check-options.ts).
const SINK_OPTION_RULES = {
  name: stringRule(DEFAULT_SINK_OPTIONS.name),
  transforms: functionsRule<SinkTransform>([]),
  deadlineMarginMs: numberRule(DEFAULT_SINK_OPTIONS.deadlineMarginMs, 0),
  defaultTimeoutMs: numberRule(DEFAULT_SINK_OPTIONS.defaultTimeoutMs, 1),
};

/** Fills defaults and rejects unknown keys, naming them. */
export function parseSinkOptions(options: SinkOptions = {}): ParsedSinkOptions {
  return checkOptions(options, SINK_OPTION_RULES, 'sink options');
}

/** A defined sink: its handler and checked options. Hand it to an adapter or to `runSink`. */
export interface Sink {
  readonly kind: 'danube.sink';
  readonly handler: SinkHandler;
  readonly options: ParsedSinkOptions;
}

/**
 * Defines a sink from a plain function. Return nothing when every record succeeded, or
 * `{ batchItemFailures: [{ itemIdentifier: record.id }] }` for the ones that failed; throw to fail
 * the whole batch. Options are checked here, so a typo fails at start-up.
 *
 * @example
 * export const sink = defineSink(async (records, ctx) => {
 *   await db.insert(records.map((r) => r.json<Order>()), { signal: ctx.signal });
 * });
 * export const handler = lambdaSink(sink);
 */
export function defineSink(handler: SinkHandler, options: SinkOptions = {}): Sink {
  if (typeof handler !== 'function') throw new TypeError('defineSink: handler must be a function');
  return Object.freeze({ kind: 'danube.sink' as const, handler, options: parseSinkOptions(options) });
}

/** True for a value made by {@link defineSink}. */
export function isSink(value: unknown): value is Sink {
  return typeof value === 'object' && value !== null && (value as Sink).kind === 'danube.sink';
}
