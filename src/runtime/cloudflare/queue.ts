import { fromBase64, isBase64, stringifyJson, utf8 } from '../../core/bytes.js';
import { checkOptions, intRule, loggerRule, optional } from '../../core/check-options.js';
import { classifyError } from '../../core/classify.js';
import { RetryableError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { createSinkRecord, SinkRecord } from '../../core/records.js';
import type { Sink } from '../../sink/define.js';
import type { DecodedSinkBatch, SinkBatchRecordV1 } from '../../sink/event.js';
import { quietLogger } from '../../sink/quiet-logger.js';
import { runSink } from '../../sink/run.js';
import type { MessageBatchLike, QueueMessageLike } from './types.js';

export interface QueueSinkOptions {
  /** Delay of retried messages, in seconds (default: the queue's `retry_delay`). */
  retryDelaySeconds?: number;
  /** Deadline of one batch; a consumer may run 15 min. */
  timeoutMs?: number;
  logger?: Logger;
}

/**
 * A Cloudflare Queues `queue(batch, env, ctx)` handler for a sink, with the same outcome mapping
 * as the other adapters: records that succeeded are `ack()`ed, failed ones `retry()`ed (invalid
 * ones too, so the queue's dead-letter queue receives them after `max_retries`), and a failed
 * batch is `retryAll()`ed (and, when the error is fatal, rethrown so the failure shows). A message body that is a v1 record (as the relay encodes it) keeps its
 * Danube id, offset and attributes; any other body becomes the payload of a record whose id is
 * the message id.
 *
 * @example
 * export default { queue: queueSink(sink, { retryDelaySeconds: 30 }) };
 */
export function queueSink(sink: Sink, options: QueueSinkOptions = {}) {
  checkOptions(options, { retryDelaySeconds: optional(intRule(0, 0)), timeoutMs: optional(intRule(0, 1)), logger: loggerRule() }, 'queueSink options');
  const logger = options.logger ?? quietLogger;
  return async (batch: MessageBatchLike, env?: unknown, _ctx?: unknown): Promise<void> => {
    const byId = new Map<string, QueueMessageLike[]>();
    const decoded: DecodedSinkBatch = { binding: batch.queue, topic: batch.queue, subscription: batch.queue, records: [], undecodable: [] };
    for (const [i, message] of batch.messages.entries()) {
      try {
        const record = await toRecord(batch.queue, message, i);
        byId.set(record.id, [...(byId.get(record.id) ?? []), message]);
        if (byId.get(record.id)!.length === 1) decoded.records.push(record);
      } catch (err) {
        byId.set(message.id, [message]);
        decoded.undecodable.push({ id: message.id, error: classifyError(err) });
      }
    }
    const outcome = await runSink(sink, decoded, { logger, env, ...(options.timeoutMs ? { deadline: Date.now() + options.timeoutMs } : {}) });
    const delay = (retryAfterMs?: number) => {
      const seconds = retryAfterMs !== undefined ? Math.ceil(retryAfterMs / 1000) : options.retryDelaySeconds;
      return seconds === undefined ? undefined : { delaySeconds: seconds };
    };
    if (outcome.status === 'failed') {
      const error = outcome.error;
      batch.retryAll(delay(error instanceof RetryableError ? error.retryAfterMs : undefined));
      logger.error({ queue: batch.queue, err: error?.message, kind: error?.kind }, 'batch failed; every message retried');
      // A fatal error must be seen: throwing marks the invocation failed in the Worker's logs
      // (the messages are already handed back with retryAll, so the outcome is the same).
      if (error?.kind === 'fatal') throw error;
      return;
    }
    const failed = new Set(outcome.failures.map((f) => f.itemIdentifier));
    for (const [id, messages] of byId) {
      for (const m of messages) {
        if (failed.has(id)) m.retry(delay());
        else m.ack();
      }
    }
  };
}

async function toRecord(queue: string, message: QueueMessageLike, index: number): Promise<SinkRecord> {
  const body = message.body;
  if (isV1Record(body)) {
    const init = {
      id: body.id,
      topic: body.topic,
      offset: BigInt(body.offset),
      publishTime: body.publishTime,
      producerName: body.producerName,
      attributes: body.attributes ?? {},
      attempt: Math.max(body.attempt ?? 1, message.attempts),
      payload: fromBase64(body.payload),
      ...(body.routingKey !== undefined ? { routingKey: body.routingKey } : {}),
      ...(body.schemaId !== undefined ? { schemaId: BigInt(body.schemaId) } : {}),
      ...(body.schemaVersion !== undefined ? { schemaVersion: body.schemaVersion } : {}),
    };
    return createSinkRecord(init);
  }
  const payload =
    body instanceof Uint8Array
      ? body
      : body instanceof ArrayBuffer
        ? new Uint8Array(body)
        : typeof body === 'string'
          ? utf8(body)
          : utf8(stringifyJson(body) ?? 'null');
  return new SinkRecord({
    id: message.id,
    topic: queue,
    offset: BigInt(index),
    publishTime: message.timestamp.getTime(),
    producerName: '',
    attributes: typeof body === 'object' && !(body instanceof Uint8Array) && !(body instanceof ArrayBuffer) ? { 'content-type': 'application/json' } : {},
    attempt: message.attempts,
    payload,
  });
}

function isV1Record(body: unknown): body is SinkBatchRecordV1 {
  if (typeof body !== 'object' || body === null) return false;
  const r = body as Partial<SinkBatchRecordV1>;
  return (
    typeof r.id === 'string' &&
    typeof r.topic === 'string' &&
    typeof r.offset === 'string' &&
    /^\d+$/.test(r.offset) &&
    typeof r.publishTime === 'number' &&
    typeof r.producerName === 'string' &&
    typeof r.payload === 'string' &&
    isBase64(r.payload)
  );
}
