import { ConfigError, ConnectorError, type ErrorKind } from '../core/errors.js';

/**
 * A relay configuration that cannot run. The message names the binding and the field, e.g.
 * `binding "orders-to-pg": batchSize: Too big: expected number to be <=10000`.
 *
 * @example
 * try { parseRelayConfig(text); } catch (err) { if (err instanceof RelayConfigError) logger.error(err.message); }
 */
export class RelayConfigError extends ConfigError {
  override readonly name: string = 'RelayConfigError';
}

/** Why an invocation failed, as the relay's metrics and logs report it. */
export type InvokeFailureReason =
  | 'function-error' // the function ran and threw / returned a Lambda function error
  | 'throttled' // 429, TooManyRequests: retried without using up the retry budget
  | 'timeout' // no answer within function.timeoutMs
  | 'http-status' // a non-2xx answer other than 429 / 5xx
  | 'server-error' // 5xx
  | 'network' // connection refused, reset, DNS
  | 'bad-response' // an answer that is not the partial-batch format, or names unknown ids
  | 'config'; // the function cannot be reached as configured (no such module/export/function)

/**
 * A failed invocation: the whole batch failed. `reason` says how; `kind` says whether another try
 * may help (`retryable`) or not (`fatal`, e.g. a 4xx).
 *
 * @example
 * throw new InvokeError('HTTP 503 from sink', 'server-error', 'retryable', { status: 503 });
 */
export class InvokeError extends ConnectorError {
  override readonly name: string = 'InvokeError';
  readonly reason: InvokeFailureReason;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(message: string, reason: InvokeFailureReason, kind: ErrorKind, options: { cause?: unknown; status?: number; retryAfterMs?: number } = {}) {
    super(message, kind, { cause: options.cause });
    this.reason = reason;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}
