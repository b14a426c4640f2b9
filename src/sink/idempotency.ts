import { RECORD_ID_ATTRIBUTE } from '../core/attributes.js';
import { ConnectorError, RetryableError } from '../core/errors.js';
import { checkOptions, functionRule, intRule } from '../core/check-options.js';
import type { SinkRecord } from '../core/records.js';
import type { SinkContext } from './define.js';
import type { RecordHandler } from './for-each.js';

/** One remembered record. */
export interface IdempotencyItem {
  key: string;
  status: 'in-progress' | 'completed';
  /** When the item may be forgotten, in seconds since the epoch (the DynamoDB TTL attribute). */
  expiresAt: number;
  /** While in progress: when the claim lapses (a crashed run), in ms since the epoch. */
  inProgressUntil?: number;
}

/** A conditional write found the key taken; carries what was found. */
export class IdempotencyConflictError extends ConnectorError {
  override readonly name: string = 'IdempotencyConflictError';
  constructor(
    readonly key: string,
    readonly existing: IdempotencyItem | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(`idempotency key ${key} is already ${existing?.status ?? 'taken'}`, 'retryable', options);
  }
}

export interface IdempotencyStoreOptions {
  /** How long a completed record is remembered (default 1 day; match the topic's retention). */
  ttlSeconds?: number;
  /** How long a claim holds before another run may take it over (default 15 min, Lambda's max). */
  inProgressTtlMs?: number;
  now?: () => number;
}

const STORE_OPTION_RULES = {
  ttlSeconds: intRule(86_400, 1),
  inProgressTtlMs: intRule(900_000, 1),
  now: functionRule<() => number>(() => Date.now()),
};

/** What `begin()` found: the key is ours now, or already done, or another run is on it. */
export type BeginResult = 'claimed' | 'completed' | 'in-progress';

/**
 * Remembers which records were processed. Public methods hold the logic; a backend implements
 * four small protected methods (`_get`, `_put` conditional, `_update`, `_delete`).
 *
 * @example
 * class MyStore extends IdempotencyStore { protected async _get(key) { ... } ... }
 */
export abstract class IdempotencyStore {
  protected readonly ttlSeconds: number;
  protected readonly inProgressTtlMs: number;
  protected readonly now: () => number;

  constructor(options: IdempotencyStoreOptions = {}) {
    const parsed = checkOptions(options, STORE_OPTION_RULES, 'idempotency store options');
    this.ttlSeconds = parsed.ttlSeconds;
    this.inProgressTtlMs = parsed.inProgressTtlMs;
    this.now = parsed.now;
  }

  /** Claims `key` unless it is completed, or claimed by a run whose claim has not lapsed. */
  async begin(key: string): Promise<BeginResult> {
    const now = this.now();
    const item: IdempotencyItem = {
      key,
      status: 'in-progress',
      expiresAt: Math.ceil((now + this.inProgressTtlMs) / 1000),
      inProgressUntil: now + this.inProgressTtlMs,
    };
    try {
      await this._put(item, now);
      return 'claimed';
    } catch (err) {
      if (!(err instanceof IdempotencyConflictError)) throw err;
      return err.existing?.status === 'completed' ? 'completed' : 'in-progress';
    }
  }

  /** Marks `key` done; redeliveries are skipped until the TTL passes. */
  async complete(key: string): Promise<void> {
    await this._update({ key, status: 'completed', expiresAt: Math.ceil(this.now() / 1000) + this.ttlSeconds });
  }

  /** Gives a claim back after a failure, so a retry runs the record again. */
  async release(key: string): Promise<void> {
    await this._delete(key);
  }

  /** The item for `key`, if any and not expired. */
  async get(key: string): Promise<IdempotencyItem | undefined> {
    const item = await this._get(key);
    return item && !isFree(item, this.now()) ? item : undefined;
  }

  protected abstract _get(key: string): Promise<IdempotencyItem | undefined>;
  /** Writes `item` only if the key is absent, expired, or a lapsed claim; else throws {@link IdempotencyConflictError}. */
  protected abstract _put(item: IdempotencyItem, now: number): Promise<void>;
  protected abstract _update(item: IdempotencyItem): Promise<void>;
  protected abstract _delete(key: string): Promise<void>;
}

/** True when an existing item no longer blocks a new claim. */
export function isFree(item: IdempotencyItem, now: number): boolean {
  return item.expiresAt * 1000 <= now || (item.status === 'in-progress' && (item.inProgressUntil ?? 0) <= now);
}

/** An in-process store: for tests, local runs and single-instance hosts. */
export class MemoryIdempotencyStore extends IdempotencyStore {
  private readonly items = new Map<string, IdempotencyItem>();

  protected async _get(key: string): Promise<IdempotencyItem | undefined> {
    return this.items.get(key);
  }

  protected async _put(item: IdempotencyItem, now: number): Promise<void> {
    const existing = this.items.get(item.key);
    if (existing && !isFree(existing, now)) throw new IdempotencyConflictError(item.key, existing);
    this.items.set(item.key, item);
  }

  protected async _update(item: IdempotencyItem): Promise<void> {
    this.items.set(item.key, item);
  }

  protected async _delete(key: string): Promise<void> {
    this.items.delete(key);
  }
}

export interface IdempotentOptions {
  store: IdempotencyStore;
  /** The key of a record; defaults to the source's stable id attribute, else the record id. */
  keyOf?: (record: SinkRecord, ctx: SinkContext) => string;
}

/**
 * Wraps a per-record function so that a record already processed (a redelivery, a retried batch,
 * a source that published twice) is skipped. A record another run is working on right now fails
 * as retryable; a failure gives the claim back so the retry runs it again.
 *
 * @example
 * const store = new DynamoDbIdempotencyStore({ client, tableName: 'orders-sink-idempotency' });
 * export const sink = defineSink(forEachRecord(idempotent(writeOrder, { store })));
 */
export function idempotent(fn: RecordHandler, options: IdempotentOptions): RecordHandler {
  const keyOf = options.keyOf ?? ((record: SinkRecord, ctx: SinkContext) => `${ctx.binding}#${record.attributes[RECORD_ID_ATTRIBUTE] ?? record.id}`);
  return async (record, ctx) => {
    const key = keyOf(record, ctx);
    const state = await options.store.begin(key);
    if (state === 'completed') {
      ctx.logger.debug({ recordId: record.id, key }, 'already processed; skipped');
      return;
    }
    if (state === 'in-progress') throw new RetryableError(`record ${record.id} is being processed by another invocation`);
    try {
      await fn(record, ctx);
    } catch (err) {
      await options.store
        .release(key)
        .catch((releaseErr: unknown) => ctx.logger.warn({ key, err: String(releaseErr) }, 'could not release an idempotency claim'));
      throw err;
    }
    await options.store.complete(key);
  };
}
