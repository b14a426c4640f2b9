import { stringifyJson } from '../core/bytes.js';
import { CheckpointFormatError, FencedError, LeaseHeldError } from './errors.js';
import type { CheckpointState, Clock, ConditionalResult, Lease, StoredCheckpoint } from './types.js';

/** How long a lease lasts unless the caller says otherwise; every commit extends it. */
export const DEFAULT_LEASE_MS = 60_000;

export interface AcquireLeaseOptions {
  /** Unique per run (e.g. host, pid and a random part): fencing depends on it. */
  owner: string;
  ttlMs?: number;
}

export interface OverwriteOptions {
  /** Write even while another owner holds a live lease (its next commit is then fenced out). */
  force?: boolean;
}

/**
 * Where sources keep their checkpoints and leases. The public methods hold the rules (JSON
 * encoding, lease semantics, turning a failed condition into a domain error with what was found);
 * each backend implements only the small protected primitives, each one conditional write.
 *
 * Rules (design §4): a lease is taken only when free, expired or already ours; a commit succeeds
 * only while we hold the lease and the version is still the one we read (fencing).
 *
 * @example
 * const lease = await store.acquireLease('shop/orders', { owner: 'run-1' });
 * const next = await store.commit(lease, { cursor: 42 });
 * await store.releaseLease(next);
 */
export abstract class CheckpointStore {
  protected readonly clock: Clock;

  protected constructor(clock: Clock = Date.now) {
    this.clock = clock;
  }

  /** The row as it is now (strongly consistent), or undefined when the key was never written. */
  async get<C = unknown>(key: string): Promise<CheckpointState<C> | undefined> {
    const item = await this._get(key);
    return item && decode<C>(item);
  }

  /**
   * Takes the lease on `key` when it is free, expired or already `owner`'s.
   * @throws LeaseHeldError carrying the current holder and expiry otherwise.
   */
  async acquireLease<C = unknown>(key: string, options: AcquireLeaseOptions): Promise<Lease<C>> {
    const now = this.clock();
    const until = now + (options.ttlMs ?? DEFAULT_LEASE_MS);
    const result = await this._acquire(key, options.owner, until, now);
    if (!result.ok) throw new LeaseHeldError(key, decode(result.found ?? missing(key), true));
    return toLease<C>(result.item, options.owner);
  }

  /**
   * Extends a lease we still hold, without touching the checkpoint.
   * @throws FencedError when the lease was lost or the version moved on.
   */
  async renewLease<C>(lease: Lease<C>, ttlMs: number = DEFAULT_LEASE_MS): Promise<Lease<C>> {
    const now = this.clock();
    const result = await this._renew(lease.key, lease.owner, lease.version, now + ttlMs, now);
    if (!result.ok) throw this.fenced(lease, result.found, now);
    return toLease<C>(result.item, lease.owner);
  }

  /**
   * Writes `checkpoint` under the lease: only if we still hold it and the table still has the
   * version the lease was read at. Returns the next lease (version + 1, extended expiry).
   * @throws FencedError otherwise; CheckpointFormatError when `checkpoint` has no JSON form.
   */
  async commit<C>(lease: Lease<C>, checkpoint: C, ttlMs: number = DEFAULT_LEASE_MS): Promise<Lease<C>> {
    const json = encode(lease.key, checkpoint);
    const now = this.clock();
    const result = await this._commit(lease.key, lease.owner, lease.version, json, now + ttlMs, now);
    if (!result.ok) throw this.fenced(lease, result.found, now);
    return toLease<C>(result.item, lease.owner);
  }

  /** Gives the lease up. False when it was no longer ours (nothing to release). */
  async releaseLease(lease: Lease<unknown>): Promise<boolean> {
    const result = await this._release(lease.key, lease.owner);
    return result.ok;
  }

  /**
   * Sets the checkpoint outside any run (operators, the CLI). Bumps the version, so a run that
   * still holds the lease cannot commit over it.
   * @throws LeaseHeldError while another owner holds a live lease, unless `force`.
   */
  async set<C>(key: string, checkpoint: C, options: OverwriteOptions = {}): Promise<CheckpointState<C>> {
    return this.overwrite<C>(key, encode(key, checkpoint), options);
  }

  /** Forgets the checkpoint: the next run starts from the source's initial position. Same rules as {@link set}. */
  async reset(key: string, options: OverwriteOptions = {}): Promise<CheckpointState> {
    return this.overwrite(key, undefined, options);
  }

  private async overwrite<C>(key: string, json: string | undefined, options: OverwriteOptions): Promise<CheckpointState<C>> {
    const now = this.clock();
    const result = await this._overwrite(key, json, options.force ?? false, now);
    if (!result.ok) throw new LeaseHeldError(key, decode(result.found ?? missing(key), true));
    return decode<C>(result.item);
  }

  private fenced(lease: Lease<unknown>, found: StoredCheckpoint | undefined, now: number): FencedError {
    return new FencedError(lease.key, lease.owner, lease.version, found && decode(found, true), now);
  }

  /** Strongly consistent read. */
  protected abstract _get(key: string): Promise<StoredCheckpoint | undefined>;
  /** Condition: no item, no owner, `leaseUntil <= now`, or owner is `owner`. Creates the item at version 0. */
  protected abstract _acquire(key: string, owner: string, until: number, now: number): Promise<ConditionalResult>;
  /** Condition: owner is `owner`, `leaseUntil > now`, version is `version`. Sets `leaseUntil`. */
  protected abstract _renew(key: string, owner: string, version: bigint, until: number, now: number): Promise<ConditionalResult>;
  /** Condition as `_renew`; sets the checkpoint, version + 1, `updatedAt = now`, `leaseUntil`. */
  protected abstract _commit(key: string, owner: string, version: bigint, checkpoint: string, until: number, now: number): Promise<ConditionalResult>;
  /** Condition: owner is `owner`. Removes owner and expiry. */
  protected abstract _release(key: string, owner: string): Promise<ConditionalResult>;
  /**
   * Condition (unless `force`): no live lease. Sets (or with undefined removes) the checkpoint,
   * version + 1 (from 0 when new), `updatedAt = now`; the lease fields stay as they are.
   */
  protected abstract _overwrite(key: string, checkpoint: string | undefined, force: boolean, now: number): Promise<ConditionalResult>;
}

function missing(key: string): StoredCheckpoint {
  return { id: key, version: 0n };
}

function encode(key: string, checkpoint: unknown): string {
  let json: string | undefined;
  try {
    json = stringifyJson(checkpoint);
  } catch (err) {
    throw new CheckpointFormatError(`checkpoint for ${key} has no JSON form: ${(err as Error).message}`, key, err);
  }
  if (json === undefined) throw new CheckpointFormatError(`checkpoint for ${key} has no JSON form (got ${typeof checkpoint})`, key);
  return json;
}

/** `lenient` keeps going on a broken JSON checkpoint (for error reports about someone else's row). */
function decode<C>(item: StoredCheckpoint, lenient = false): CheckpointState<C> {
  let checkpoint: C | undefined;
  if (item.checkpoint !== undefined) {
    try {
      checkpoint = JSON.parse(item.checkpoint) as C;
    } catch (err) {
      if (!lenient) throw new CheckpointFormatError(`stored checkpoint of ${item.id} is not valid JSON`, item.id, err);
      checkpoint = item.checkpoint as C;
    }
  }
  const state: CheckpointState<C> = { key: item.id, checkpoint, version: item.version };
  if (item.leaseOwner !== undefined) state.leaseOwner = item.leaseOwner;
  if (item.leaseUntil !== undefined) state.leaseUntil = item.leaseUntil;
  if (item.updatedAt !== undefined) state.updatedAt = item.updatedAt;
  return state;
}

function toLease<C>(item: StoredCheckpoint, owner: string): Lease<C> {
  const state = decode<C>(item);
  return { key: item.id, owner, until: item.leaseUntil ?? 0, version: item.version, checkpoint: state.checkpoint };
}
