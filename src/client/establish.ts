import { backoffDelay, type Deadline } from './backoff.js';
import type { ClientContext } from './context.js';
import { DanubeError, toDanubeError } from './errors.js';
import { relookup, type BrokerAddress } from './lookup.js';

/**
 * Lookup → attempt → on a retryable status, back off, look up again and retry; as the Rust
 * client creates producers and subscribes consumers. Gives up after `retry.maxRetries` retries
 * (the last error, typed) or at `deadline` (a `TimeoutError` carrying the last error).
 */
export async function establish<T>(
  ctx: ClientContext,
  topic: string,
  operation: string,
  deadline: Deadline,
  via: string,
  attempt: (address: BrokerAddress) => Promise<T>,
): Promise<{ result: T; address: BrokerAddress }> {
  const fallback: BrokerAddress = { brokerUrl: via, connectUrl: via, proxy: false };
  let address = (await relookupOrNone(ctx, topic, via, deadline)) ?? fallback;
  const { retry } = ctx.options;
  for (let failures = 0; ; failures++) {
    ctx.ensureOpen(operation, topic);
    let error: DanubeError;
    try {
      return { result: await attempt(address), address };
    } catch (err) {
      error = toDanubeError(err, operation, topic);
    }
    if (!error.retryable) throw error;
    if (deadline.expired()) throw deadline.error(error);
    if (failures >= retry.maxRetries) throw withAttempts(error, failures + 1);
    ctx.logger.debug({ topic, operation, attempt: failures + 1, err: error.message }, 'retrying after a retryable status');
    if (!(await deadline.sleep(backoffDelay(failures, retry), ctx.signal))) throw deadline.error(error);
    address = (await relookupOrNone(ctx, topic, address.connectUrl, deadline)) ?? address;
  }
}

async function relookupOrNone(ctx: ClientContext, topic: string, via: string, deadline: Deadline): Promise<BrokerAddress | undefined> {
  if (deadline.expired()) return undefined;
  return relookup(ctx, topic, via, deadline);
}

function withAttempts(error: DanubeError, attempts: number): DanubeError {
  error.message = `${error.message} (gave up after ${attempts} attempts)`;
  return error;
}

/**
 * Runs `fn` again on retryable statuses, with backoff, up to `retry.maxRetries` retries and
 * never past `deadline`: for calls that need no lookup (TopicPartitions on the service URL).
 */
export async function retrying<T>(ctx: ClientContext, topic: string, operation: string, deadline: Deadline, fn: () => Promise<T>): Promise<T> {
  const { retry } = ctx.options;
  for (let failures = 0; ; failures++) {
    ctx.ensureOpen(operation, topic);
    let error: DanubeError;
    try {
      return await fn();
    } catch (err) {
      error = toDanubeError(err, operation, topic);
    }
    if (!error.retryable) throw error;
    if (deadline.expired()) throw deadline.error(error);
    if (failures >= retry.maxRetries) throw withAttempts(error, failures + 1);
    if (!(await deadline.sleep(backoffDelay(failures, retry), ctx.signal))) throw deadline.error(error);
  }
}
