/** A JSON value: what a source chooses as its checkpoint. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A clock in ms since the epoch; injected so tests can move time. */
export type Clock = () => number;

/**
 * One row of the checkpoint table, decoded. `checkpoint` is undefined before the first commit
 * (or after a reset); `version` grows by one on every checkpoint write.
 */
export interface CheckpointState<C = unknown> {
  key: string;
  checkpoint: C | undefined;
  version: bigint;
  leaseOwner?: string;
  /** ms since the epoch; the lease is live while this is in the future. */
  leaseUntil?: number;
  /** ms since the epoch of the last checkpoint write. */
  updatedAt?: number;
}

/**
 * A held lease: the right to commit `key` as long as nobody fences it out. Every commit returns
 * the next lease (new version, extended `until`); keep only the newest.
 */
export interface Lease<C = unknown> {
  readonly key: string;
  readonly owner: string;
  /** ms since the epoch */
  readonly until: number;
  /** The version this lease may overwrite: a commit succeeds only if the table still has it. */
  readonly version: bigint;
  /** The committed checkpoint as of this lease (undefined before the first commit). */
  readonly checkpoint: C | undefined;
}

/** What a backend stores, before JSON decoding. */
export interface StoredCheckpoint {
  id: string;
  /** JSON text */
  checkpoint?: string;
  version: bigint;
  leaseOwner?: string;
  leaseUntil?: number;
  updatedAt?: number;
}

/** A conditional write either succeeds with the new item, or fails with what was there. */
export type ConditionalResult = { ok: true; item: StoredCheckpoint } | { ok: false; found: StoredCheckpoint | undefined };

/** Key parts of a checkpoint row. */
export interface CheckpointKeyParts {
  service: string;
  source: string;
  partition?: string | number;
}

/**
 * The row key: `<service>/<source>[#<partition>]`.
 *
 * @example
 * checkpointKey({ service: 'shop', source: 'orders' }); // 'shop/orders'
 * checkpointKey({ service: 'shop', source: 'orders', partition: 2 }); // 'shop/orders#2'
 */
export function checkpointKey(parts: CheckpointKeyParts): string {
  if (!parts.service || parts.service.includes('/')) throw new TypeError(`invalid service name "${parts.service}"`);
  if (!parts.source || parts.source.includes('#')) throw new TypeError(`invalid source name "${parts.source}"`);
  const base = `${parts.service}/${parts.source}`;
  return parts.partition === undefined ? base : `${base}#${parts.partition}`;
}
