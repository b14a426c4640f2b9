import { FatalError, InvalidRecordError, RetryableError, type ConnectorError } from '../../core/errors.js';
import type { SinkRecord } from '../../core/records.js';
import { defineSink, type Sink, type SinkContext } from '../../sink/define.js';
import type { SinkBatchItemFailure } from '../../sink/event.js';
import { failure } from '../../sink/run.js';
import { forEachRecord } from '../../sink/for-each.js';
import { parseHttpSinkOptions, type HttpSinkConfig, type HttpSinkOptions } from './options.js';
import { RequestLimiter } from './limiter.js';
import { batchRequest, recordRequest } from './request.js';
import { sendWithRetry, type SendContext } from './send.js';

export interface HttpSinkDeps {
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * The HTTP webhook sink: POSTs each record (or the batch as a JSON array) and reports results
 * per record. Retryable failures (429/503/5xx/timeouts, after in-call retries) and invalid ones
 * (400/404/422: dead-lettered by the relay) are returned as `batchItemFailures` with their
 * reason; 401/403 fail the whole batch with a `FatalError`, which stops the binding.
 *
 * @example
 * export const sink = httpSink({ url: process.env.TARGET_URL!, ordering: 'key', concurrency: 16 });
 * export const handler = lambdaSink(sink);
 */
export function httpSink(options: HttpSinkOptions, deps: HttpSinkDeps = {}): Sink {
  const config = parseHttpSinkOptions(options);
  // `concurrency` bounds the requests of this sink instance, not of one invocation: a relay running
  // several batches at once must not multiply the load on the endpoint.
  const limiter = new RequestLimiter(config.concurrency);
  const sendContext = (ctx: SinkContext): SendContext => ({
    signal: ctx.signal,
    deadline: ctx.deadline,
    fetch: deps.fetch ?? fetch,
    now: deps.now ?? Date.now,
    limiter,
  });
  // Record mode: bounded concurrency and per-key order come from the shared per-record helper.
  const perRecord = forEachRecord(
    async (record, ctx) => {
      const result = await sendWithRetry(config, recordRequest(config, record), sendContext(ctx));
      if (!result.ok) throw result.error;
    },
    { concurrency: config.concurrency, ordered: config.ordering === 'key' },
  );
  return defineSink(
    async (records, ctx) => {
      if (config.mode === 'record') return perRecord(records, ctx);
      const failures: SinkBatchItemFailure[] = [];
      const fatal = await deliverBatch(config, records, sendContext(ctx), failures);
      if (fatal) throw fatal;
      if (failures.length > 0) ctx.logger.warn({ failed: failures.length, of: records.length }, 'http-sink: some records failed');
      return { batchItemFailures: failures };
    },
    { name: 'http-sink' },
  );
}

/**
 * One request for the batch. A 400/422 answer cannot say which record was bad, so the batch is
 * split in halves until the bad records stand alone (bisect on error). A 2xx answer may itself
 * be a partial-batch response (`{ "batchItemFailures": [...] }`) naming records to retry.
 */
async function deliverBatch(
  config: HttpSinkConfig,
  records: SinkRecord[],
  send: SendContext,
  failures: SinkBatchItemFailure[],
): Promise<ConnectorError | undefined> {
  const { request, invalid } = batchRequest(config, records);
  for (const err of invalid) failures.push(failure(err.recordId!, err));
  if (!request) return undefined;
  const result = await sendWithRetry(config, request, send);
  if (result.ok) {
    const ids = new Set(request.records.map((r) => r.id));
    for (const id of answeredFailures(result.text)) {
      if (ids.has(id)) failures.push(failure(id, new RetryableError('the endpoint reported this record as failed')));
    }
    return undefined;
  }
  if (result.error instanceof FatalError) return result.error;
  if (result.error instanceof InvalidRecordError && request.records.length > 1 && !send.signal.aborted) {
    const half = Math.ceil(request.records.length / 2);
    return (
      (await deliverBatch(config, request.records.slice(0, half), send, failures)) ?? (await deliverBatch(config, request.records.slice(half), send, failures))
    );
  }
  for (const r of request.records) failures.push(failure(r.id, result.error));
  return undefined;
}

function answeredFailures(text: string): string[] {
  if (!text) return [];
  try {
    const body = JSON.parse(text) as { batchItemFailures?: { itemIdentifier?: unknown }[] };
    return (body.batchItemFailures ?? []).map((f) => f.itemIdentifier).filter((id): id is string => typeof id === 'string');
  } catch {
    return [];
  }
}
