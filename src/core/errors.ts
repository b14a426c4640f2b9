/** How a failure should be handled: retried, skipped as a bad record, or stop everything. */
export type ErrorKind = 'retryable' | 'invalid' | 'fatal';

/** The mark every {@link ConnectorError} carries, whichever copy of the package made it. */
export const CONNECTOR_ERROR: unique symbol = Symbol.for('danube-connect-serverless.connector-error');

/**
 * True for a {@link ConnectorError} of any copy of the package (`instanceof` sees only its own).
 *
 * @example
 * if (isConnectorError(err) && err.kind === 'invalid') deadLetter(record, err);
 */
export function isConnectorError(err: unknown): err is ConnectorError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[CONNECTOR_ERROR] === true;
}

export interface ConnectorErrorOptions {
  cause?: unknown;
}

/**
 * Base class of every error the connector core raises. `kind` tells the caller what to do:
 * retry with backoff (`retryable`), dead-letter the record and keep going (`invalid`), or stop
 * the binding or run loudly (`fatal`).
 *
 * @example
 * try { await write(rows); } catch (err) { if (err instanceof ConnectorError && err.retryable) retryLater(); }
 */
export class ConnectorError extends Error {
  override readonly name: string = 'ConnectorError';
  readonly kind: ErrorKind;
  /**
   * Marks connector errors by shape, not by class: a handler bundled with its own copy of the
   * package (or loaded beside another copy) throws errors of a different class object, and they
   * must classify the same.
   */
  readonly [CONNECTOR_ERROR] = true;

  constructor(message: string, kind: ErrorKind, options: ConnectorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
  }

  /** True when trying again later may succeed. */
  get retryable(): boolean {
    return this.kind === 'retryable';
  }
}

export interface RetryableErrorOptions extends ConnectorErrorOptions {
  /** A server-advised delay (e.g. `Retry-After`); backoff never waits less than this. */
  retryAfterMs?: number;
}

/**
 * A transient failure: throttling, a timeout, a dropped connection. Retry with backoff.
 *
 * @example
 * if (res.status === 503) throw new RetryableError('warehouse busy', { retryAfterMs: 2000 });
 */
export class RetryableError extends ConnectorError {
  override readonly name: string = 'RetryableError';
  readonly retryAfterMs?: number;

  constructor(message: string, options: RetryableErrorOptions = {}) {
    super(message, 'retryable', options);
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A failure no retry will fix for any record: bad credentials, a missing table, broken config.
 * Stops the binding or the run.
 *
 * @example
 * if (res.status === 401) throw new FatalError('the sink token was rejected');
 */
export class FatalError extends ConnectorError {
  override readonly name: string = 'FatalError';

  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super(message, 'fatal', options);
  }
}

/**
 * The record an {@link InvalidRecordError} is about: a `SinkRecord` (with its `id`) or a
 * `SourceRecord`, as far as the error needs to know it.
 */
export interface FailedRecord {
  readonly id?: string;
  readonly payload: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface InvalidRecordErrorOptions extends ConnectorErrorOptions {
  /** The record that can never succeed. */
  record?: FailedRecord;
  /** Its id, when only the id is at hand (taken from `record` when that is a sink record). */
  recordId?: string;
}

/**
 * This one record can never succeed (malformed payload, schema violation). It is dead-lettered
 * and the rest of the batch goes on.
 *
 * @example
 * if (!order.customerId) throw new InvalidRecordError('order without customerId', { record });
 */
export class InvalidRecordError extends ConnectorError {
  override readonly name: string = 'InvalidRecordError';
  readonly record?: FailedRecord;
  readonly recordId?: string;

  constructor(message: string, options: InvalidRecordErrorOptions = {}) {
    super(message, 'invalid', options);
    if (options.record !== undefined) this.record = options.record;
    const id = options.recordId ?? options.record?.id;
    if (id !== undefined) this.recordId = id;
  }
}

/** Configuration that does not parse; always fatal, and the message names the key. */
export class ConfigError extends FatalError {
  override readonly name: string = 'ConfigError';
  /** Dotted paths of the offending keys. */
  readonly keys: string[];

  constructor(message: string, keys: string[] = [], options: ConnectorErrorOptions = {}) {
    super(message, options);
    this.keys = keys;
  }
}
