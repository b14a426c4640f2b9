// A relay binding's status as the console shows it, whether the relay runs in `npm start` or
// is attached over its /status endpoint.
import type { BindingStatus } from '../relay/binding-status.js';
import type { RateMeter } from './history.js';
import { redactOptional } from './redact.js';
import type { ConsoleBinding } from './types.js';

/** What differs between the two ways of seeing a relay. */
export interface BindingViewParts {
  /** The sink function: its kind and a name that is safe to show. */
  function: ConsoleBinding['function'];
  state: string;
  /** Records not yet acked: what the relay holds, or the broker's count when it knows better. */
  backlog: number;
  deadLetterTopic?: string | undefined;
}

export function bindingView(b: BindingStatus, parts: BindingViewParts, rates: RateMeter, now: number): ConsoleBinding {
  const acked = b.counts.succeeded + b.counts.filtered + b.counts.deadLettered;
  const view: ConsoleBinding = {
    name: b.name,
    topic: b.topic,
    subscription: b.subscription,
    function: parts.function,
    state: parts.state,
    received: b.counts.received,
    acked,
    failed: b.counts.failed,
    inFlight: b.inFlightRecords,
    retries: b.counts.retried,
    deadLettered: b.counts.deadLettered,
    backlog: parts.backlog,
    oldestUnackedAgeMs: b.oldestUnackedAgeMs,
    recordsPerSecond: rates.rate(b.name, acked, now),
  };
  if (parts.deadLetterTopic) view.deadLetterTopic = parts.deadLetterTopic;
  const lastError = redactOptional(b.lastError);
  if (lastError !== undefined) view.lastError = lastError;
  if (b.lastErrorAt !== undefined) view.lastErrorAt = b.lastErrorAt;
  return view;
}
