/** Why a run ended. */
export type SourceStopReason = 'done' | 'budget' | 'lease-held' | 'error';

/**
 * What a run did; returned by {@link runSource} and the adapters and logged once at the end.
 * Plain JSON (versions are decimal strings), so a Lambda can return it as is.
 */
export interface SourceRunSummary {
  source: string;
  /** The checkpoint key, `<service>/<source>[#<partition>]`. */
  key: string;
  owner: string;
  stopReason: SourceStopReason;
  /** Records the broker accepted (dead-lettered ones not included). */
  recordsPublished: number;
  recordsDeadLettered: number;
  /** Batches whose checkpoint was committed. */
  batches: number;
  checkpointBefore: unknown;
  checkpointAfter: unknown;
  versionBefore?: string;
  versionAfter?: string;
  /** Retries after retryable poll or publish failures. */
  retries: number;
  startedAt: string;
  durationMs: number;
  /** With `lease-held`: who holds the lease, and until when (ISO time). */
  leaseHeldBy?: string;
  leaseHeldUntil?: string;
  /** With `error`: what went wrong. */
  error?: string;
}
