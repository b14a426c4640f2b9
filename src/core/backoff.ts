// How long to wait before trying again: one primitive, with the policies the package uses named
// here. Each place that retries picks a policy; none computes a delay of its own.

/** A backoff policy: how the delay grows per attempt, its bounds, and its randomness. */
export interface BackoffPolicy {
  /** `exponential`: initial · multiplier^(n−1); `linear`: initial · n. */
  growth: 'exponential' | 'linear';
  /** Delay before the first retry (its upper bound when jittered), ms. */
  initialDelayMs: number;
  /** No delay exceeds this, ms. */
  maxDelayMs: number;
  /** Growth per attempt of an exponential policy (default 2). */
  multiplier?: number;
  /**
   * `full`: uniform in [0, d] (AWS "full jitter": failures that happened together spread out the
   * most); `half`: uniform in [d/2, d] (never much sooner than planned); `none`: exactly d.
   */
  jitter: 'full' | 'half' | 'none';
}

/**
 * The policies by name: what each kind of retry in the package waits.
 * - `operation`: a source's poll and publish, a sink's own retries (exponential, full jitter);
 * - `client`: the Danube client's retries of a call, the Rust and Go clients' linear steps;
 * - `resubscribe`: the relay subscribing again (short, as a topic may appear any moment);
 * - `dead-letter`: publishing to a dead-letter topic until it succeeds;
 * - `refused`: trying again after the broker refused the credentials (a token may be rotated).
 */
export const BACKOFF_POLICIES = Object.freeze({
  operation: { growth: 'exponential', initialDelayMs: 100, maxDelayMs: 30_000, multiplier: 2, jitter: 'full' },
  client: { growth: 'linear', initialDelayMs: 200, maxDelayMs: 5_000, jitter: 'half' },
  resubscribe: { growth: 'exponential', initialDelayMs: 250, maxDelayMs: 1_000, multiplier: 2, jitter: 'half' },
  'dead-letter': { growth: 'exponential', initialDelayMs: 400, maxDelayMs: 10_000, multiplier: 2, jitter: 'half' },
  refused: { growth: 'exponential', initialDelayMs: 5_000, maxDelayMs: 60_000, multiplier: 2, jitter: 'half' },
} satisfies Record<string, BackoffPolicy>);

/**
 * The wait before retry number `attempt` (1 = the wait after the first failure).
 *
 * @example
 * backoffDelay(3, BACKOFF_POLICIES.client); // somewhere in [300, 600] ms
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const n = Math.max(1, attempt);
  const planned = policy.growth === 'linear' ? policy.initialDelayMs * n : policy.initialDelayMs * (policy.multiplier ?? 2) ** Math.min(n - 1, 64);
  const cap = Math.min(policy.maxDelayMs, planned);
  if (policy.jitter === 'full') return Math.floor(random() * cap);
  if (policy.jitter === 'half') return Math.round(cap / 2 + random() * (cap / 2));
  return cap;
}
