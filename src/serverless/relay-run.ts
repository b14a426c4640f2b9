import { silentLogger, type Logger } from '../core/logger.js';
import type { BindingInput } from '../relay/config-schema.js';
import { startRelay, type RelayStatus, type StartRelayOptions } from '../relay/relay.js';
import type { RelayClient } from '../relay/ports.js';

export interface BudgetedRelayOptions {
  /** The bindings this run serves (a relay Lambda serves one). */
  bindings: BindingInput[];
  serviceUrl?: string;
  client: RelayClient;
  /** Time this run may take in all, ms (on Lambda: `context.getRemainingTimeInMillis()`). */
  budgetMs: number;
  /**
   * Kept at the end of the budget: the relay stops taking messages this long before the budget
   * runs out and uses the time to finish (or give back) its batches and ack what succeeded.
   */
  stopMarginMs: number;
  logger?: Logger;
  /** Ends the run early, e.g. when the host is shutting down. */
  signal?: AbortSignal;
  /** Passed to `startRelay` (in-process sinks, invokers) for local runs and tests. */
  relayOptions?: Omit<StartRelayOptions, 'client' | 'logger'>;
}

export interface BudgetedRelaySummary {
  /** ms from start to the moment the relay stopped taking messages. */
  consumedMs: number;
  durationMs: number;
  status: RelayStatus;
}

/**
 * One run of the serverless relay: consume for `budgetMs - stopMarginMs`, then drain and stop.
 * The next run subscribes with the same consumer name and takes the subscription over, so the
 * stream moves on run after run without any long-lived process. Messages in flight at the end are
 * either acked (their batch finished) or redelivered to the next run (at-least-once).
 *
 * @example
 * export const handler = async (_event, context) => runRelayForBudget({
 *   bindings: [binding], client, budgetMs: context.getRemainingTimeInMillis(), stopMarginMs: 15_000, logger,
 * });
 */
export async function runRelayForBudget(options: BudgetedRelayOptions): Promise<BudgetedRelaySummary> {
  const logger = options.logger ?? silentLogger;
  const started = Date.now();
  const consumeMs = Math.max(0, options.budgetMs - options.stopMarginMs);
  // Draining may use the margin minus a little slack to close the client before the hard stop.
  const drainTimeoutMs = Math.max(0, options.stopMarginMs - 2_000);
  const relay = await startRelay(
    { ...(options.serviceUrl ? { serviceUrl: options.serviceUrl } : {}), drainTimeoutMs, bindings: options.bindings },
    { ...options.relayOptions, client: options.client, logger },
  );
  await new Promise<void>((resolve) => {
    const remaining = Math.max(0, consumeMs - (Date.now() - started));
    const timer = setTimeout(resolve, remaining);
    options.signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
  const consumedMs = Date.now() - started;
  logger.info({ consumedMs }, 'relay run: budget spent, draining before hand-over');
  await relay.close();
  const status = relay.status();
  return { consumedMs, durationMs: Date.now() - started, status };
}
