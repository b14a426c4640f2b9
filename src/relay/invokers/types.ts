import type { Logger } from '../../core/logger.js';
import type { SinkRecord } from '../../core/records.js';
import type { SinkBatchItemFailure, SinkBatchMeta } from '../../sink/event.js';

/** One batch as an invoker gets it: decoded records and the batch-wide fields of the event. */
export interface InvokeBatch {
  meta: SinkBatchMeta;
  records: SinkRecord[];
  /** Aborted on shutdown past the drain timeout. */
  signal: AbortSignal;
  /** The invocation must have answered by then (ms since the epoch). */
  deadline: number;
  logger: Logger;
}

/** What a function answered when it did not fail as a whole: the records it reported as failed. */
export interface InvokeResult {
  failures: SinkBatchItemFailure[];
}

/**
 * Sends one batch to a sink function. Resolves with the partial-batch answer; throws an
 * `InvokeError` when the whole batch failed (its `reason` and `kind` say how).
 *
 * @example
 * const { failures } = await invoker.invoke({ meta, records, signal, deadline: Date.now() + 30_000, logger });
 */
export interface Invoker {
  readonly kind: 'lambda' | 'http' | 'local';
  /** True when the function decodes payloads itself (remote): the relay leaves gzip payloads compressed. */
  readonly remote: boolean;
  invoke(batch: InvokeBatch): Promise<InvokeResult>;
  /**
   * Checks, without side effects, that the function can be invoked as configured (a local
   * module imports and exports a sink; a Lambda function exists and may be invoked; an HTTP
   * host resolves). Rejects with an `InvokeError` of reason `config` when it cannot; any other
   * rejection means "could not tell" (the network, say). Optional: without it nothing is checked.
   */
  check?(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
