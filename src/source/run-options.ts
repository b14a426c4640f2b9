import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import * as z from 'zod';
import { CheckpointStore } from '../checkpoint/store.js';
import type { Clock } from '../checkpoint/types.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { parseWithSchema } from '../core/options.js';
import type { SourceClient } from './publisher.js';

export interface SourceRunOptions {
  /** Publishes the records; a `DanubeClient`. The run opens producers on it and closes them. */
  client: SourceClient;
  store: CheckpointStore;
  /** Time this run may take in all, ms (on Lambda: `context.getRemainingTimeInMillis()`). */
  budgetMs: number;
  /**
   * Kept free at the end of the budget to finish the batch in flight, commit and release.
   * Default: {@link DEFAULT_SAFETY_MARGIN_MS}, but at most a fifth of the budget.
   */
  safetyMarginMs?: number;
  /** First part of the checkpoint key `<service>/<source>[#<partition>]`. */
  service?: string;
  /** Last part of the checkpoint key, for sources run once per input partition. */
  partition?: string | number;
  /** Lease owner id; unique per run. Default: host, pid and a random part. */
  owner?: string;
  /**
   * Lease length (default {@link DEFAULT_RUN_LEASE_MS}). The run renews it every third of that
   * while it works; after a crash the next run can start once it ran out.
   */
  leaseMs?: number;
  logger?: Logger;
  clock?: Clock;
  /** Stops the run early (e.g. SIGTERM): the batch in flight is finished or abandoned uncommitted. */
  signal?: AbortSignal;
}

export interface ResolvedSourceRunOptions {
  client: SourceClient;
  store: CheckpointStore;
  budgetMs: number;
  safetyMarginMs: number;
  service: string;
  partition?: string | number;
  owner: string;
  leaseMs: number;
  logger: Logger;
  clock: Clock;
  signal?: AbortSignal;
}

export const DEFAULT_SERVICE = 'default';
export const DEFAULT_SAFETY_MARGIN_MS = 3_000;
export const DEFAULT_RUN_LEASE_MS = 30_000;

const isObject = (v: unknown) => typeof v === 'object' && v !== null;

const RunOptionsSchema = z.strictObject({
  client: z.custom<SourceClient>((v) => isObject(v) && typeof (v as SourceClient).createProducer === 'function', 'must be a DanubeClient'),
  store: z.custom<CheckpointStore>((v) => v instanceof CheckpointStore, 'must be a CheckpointStore'),
  budgetMs: z.number().int().positive(),
  safetyMarginMs: z.number().int().min(0).optional(),
  service: z
    .string()
    .regex(/^[^/]+$/, 'must not contain "/"')
    .default(DEFAULT_SERVICE),
  partition: z.union([z.string().min(1), z.number().int().min(0)]).optional(),
  owner: z.string().min(1).optional(),
  // Renewed every third of it: shorter would spend the run on renewals.
  leaseMs: z.number().int().min(150).optional(),
  logger: z.custom<Logger>((v) => isObject(v) && typeof (v as Logger).info === 'function', 'must be a logger').optional(),
  clock: z.custom<Clock>((v) => typeof v === 'function', 'must be a function').optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

/** Fills defaults and rejects unknown keys, naming them. */
export function parseSourceRunOptions(options: SourceRunOptions): ResolvedSourceRunOptions {
  const o = parseWithSchema(RunOptionsSchema, options, 'source run options');
  const resolved: ResolvedSourceRunOptions = {
    client: o.client,
    store: o.store,
    budgetMs: o.budgetMs,
    safetyMarginMs: o.safetyMarginMs ?? Math.min(DEFAULT_SAFETY_MARGIN_MS, Math.floor(o.budgetMs / 5)),
    service: o.service,
    owner: o.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    leaseMs: o.leaseMs ?? DEFAULT_RUN_LEASE_MS,
    logger: o.logger ?? silentLogger,
    clock: o.clock ?? Date.now,
  };
  if (o.partition !== undefined) resolved.partition = o.partition;
  if (o.signal !== undefined) resolved.signal = o.signal;
  return resolved;
}
