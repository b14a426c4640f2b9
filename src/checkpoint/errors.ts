import { ConnectorError, type ErrorKind } from '../core/errors.js';
import type { CheckpointState } from './types.js';

/**
 * Base class of every error a {@link CheckpointStore} raises. `found` is what the table held
 * when a condition failed, so the caller can say who holds the lease or which version won.
 *
 * @example
 * try { await store.commit(lease, next); } catch (err) {
 *   if (err instanceof CheckpointError) logger.warn({ found: err.found }, err.message);
 * }
 */
export class CheckpointError extends ConnectorError {
  override readonly name: string = 'CheckpointError';
  /** The checkpoint key, `<service>/<source>[#<partition>]`. */
  readonly key: string;
  /** The item as it was found when a condition failed (undefined: no item). */
  readonly found?: CheckpointState;

  constructor(message: string, kind: ErrorKind, key: string, options: { cause?: unknown; found?: CheckpointState } = {}) {
    super(message, kind, { cause: options.cause });
    this.key = key;
    if (options.found !== undefined) this.found = options.found;
  }
}

/**
 * Another owner holds a live lease on the key: a run must not start, an admin write must not
 * happen (unless forced). Retryable: the lease expires or is released.
 */
export class LeaseHeldError extends CheckpointError {
  override readonly name: string = 'LeaseHeldError';
  readonly owner: string;
  /** When the lease runs out, ms since the epoch. */
  readonly leaseUntil: number;

  constructor(key: string, found: CheckpointState) {
    const owner = found.leaseOwner ?? '(unknown)';
    const until = found.leaseUntil ?? 0;
    super(`checkpoint ${key} is leased by ${owner} until ${new Date(until).toISOString()}`, 'retryable', key, { found });
    this.owner = owner;
    this.leaseUntil = until;
  }
}

/**
 * A conditional write on behalf of a lease holder failed: the lease expired or was taken by
 * someone else (`lease-lost`), or the checkpoint was changed since it was read
 * (`version-changed`). Fatal for the run: whatever it published stays, its checkpoint does not.
 */
export class FencedError extends CheckpointError {
  override readonly name: string = 'FencedError';
  readonly reason: 'lease-lost' | 'version-changed';
  readonly expectedVersion: bigint;

  constructor(key: string, owner: string, expectedVersion: bigint, found: CheckpointState | undefined, now: number) {
    const lost = !found || found.leaseOwner !== owner || (found.leaseUntil ?? 0) <= now;
    const what = !found
      ? 'the checkpoint item no longer exists'
      : lost
        ? found.leaseOwner && found.leaseOwner !== owner
          ? `the lease is now held by ${found.leaseOwner}`
          : 'the lease expired'
        : `the checkpoint version is ${found.version}, expected ${expectedVersion}`;
    super(`checkpoint ${key}: write refused for ${owner}: ${what}`, 'fatal', key, found ? { found } : {});
    this.reason = lost ? 'lease-lost' : 'version-changed';
    this.expectedVersion = expectedVersion;
  }
}

/** The stored checkpoint is not valid JSON, or a checkpoint to store has no JSON form. */
export class CheckpointFormatError extends CheckpointError {
  override readonly name: string = 'CheckpointFormatError';

  constructor(message: string, key: string, cause?: unknown) {
    super(message, 'fatal', key, { cause });
  }
}

/** The backend failed (network, throttling, missing table); `retryable` says whether to try again. */
export class CheckpointStoreError extends CheckpointError {
  override readonly name: string = 'CheckpointStoreError';

  constructor(message: string, key: string, retryable: boolean, cause?: unknown) {
    super(message, retryable ? 'retryable' : 'fatal', key, { cause });
  }
}
