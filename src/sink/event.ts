import { fromBase64, toBase64 } from '../core/bytes.js';
import { classifyError } from '../core/classify.js';
import { FatalError, type ConnectorError, type ErrorKind } from '../core/errors.js';
import { createSinkRecord, recordId, type SinkRecord, type SinkRecordInit } from '../core/records.js';

/** The `type` of every sink batch event of this version. */
export const SINK_BATCH_EVENT_TYPE = 'danube.sink.batch.v1';

/** One record as it travels in JSON: uint64 values as decimal strings, payload in base64. */
export interface SinkBatchRecordV1 {
  id: string;
  topic: string;
  offset: string;
  publishTime: number;
  producerName: string;
  attributes: Record<string, string>;
  routingKey?: string;
  schemaId?: string;
  schemaVersion?: number;
  attempt: number;
  payload: string;
}

/** What the relay sends a sink function (design §4); JSON-safe, so it crosses Lambda and HTTP. */
export interface SinkBatchEventV1 {
  type: typeof SINK_BATCH_EVENT_TYPE;
  binding: string;
  topic: string;
  subscription: string;
  records: SinkBatchRecordV1[];
  /**
   * The W3C trace context of the invocation (the relay's `invoke` span), when the relay traces:
   * the sink's span continues it. Optional and ignored by readers that do not know it; a
   * malformed value is ignored, as the W3C specification asks. Each record's own creation
   * context is in its `attributes` (`traceparent`, `tracestate`).
   */
  traceparent?: string;
  tracestate?: string;
}

/**
 * One failed record in the answer. `itemIdentifier` is the AWS partial-batch field; `reason` and
 * `message` are optional additions the relay reads (an `invalid` record is dead-lettered at once).
 */
export interface SinkBatchItemFailure {
  itemIdentifier: string;
  reason?: ErrorKind;
  message?: string;
}

/** The AWS partial-batch response: an empty list means every record succeeded. */
export interface SinkBatchResponse {
  batchItemFailures: SinkBatchItemFailure[];
}

/** The batch-wide fields of an event. */
export interface SinkBatchMeta {
  binding: string;
  topic: string;
  subscription: string;
  /** The invocation's trace context (see {@link SinkBatchEventV1.traceparent}). */
  traceparent?: string;
  tracestate?: string;
}

/** A record to encode: a `DanubeMessage` plus its delivery attempt fits. */
export type EncodableRecord = Omit<SinkRecordInit, 'logicalTopic'>;

/** An event that is not a valid `danube.sink.batch.v1`; `field` names the culprit. */
export class SinkEventError extends FatalError {
  override readonly name: string = 'SinkEventError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`invalid ${SINK_BATCH_EVENT_TYPE} event: ${field} ${problem}`);
  }
}

/**
 * Encodes records into the JSON-safe v1 event.
 *
 * @example
 * const event = encodeSinkBatch(messages.map((m) => ({ ...m, attempt: 1 })), { binding, topic, subscription });
 * await lambda.send(new InvokeCommand({ FunctionName, Payload: JSON.stringify(event) }));
 */
export function encodeSinkBatch(records: readonly EncodableRecord[], meta: SinkBatchMeta): SinkBatchEventV1 {
  const event: SinkBatchEventV1 = {
    type: SINK_BATCH_EVENT_TYPE,
    binding: meta.binding,
    topic: meta.topic,
    subscription: meta.subscription,
    records: records.map(encodeRecord),
  };
  if (meta.traceparent !== undefined) event.traceparent = meta.traceparent;
  if (meta.tracestate !== undefined) event.tracestate = meta.tracestate;
  return event;
}

function encodeRecord(r: EncodableRecord): SinkBatchRecordV1 {
  const out: SinkBatchRecordV1 = {
    id: r.id ?? recordId(r.topic, r.offset),
    topic: r.topic,
    offset: r.offset.toString(),
    publishTime: r.publishTime,
    producerName: r.producerName,
    attributes: r.attributes,
    attempt: r.attempt ?? 1,
    payload: toBase64(r.payload),
  };
  if (r.routingKey) out.routingKey = r.routingKey;
  if (r.schemaId !== undefined) out.schemaId = r.schemaId.toString();
  if (r.schemaVersion !== undefined) out.schemaVersion = r.schemaVersion;
  return out;
}

type Bag = Record<string, unknown>;
const isObject = (v: unknown): v is Bag => typeof v === 'object' && v !== null && !Array.isArray(v);
const UINT64_MAX = 18446744073709551615n;
const describe = (v: unknown): string => (v === undefined ? 'missing' : `got ${JSON.stringify(v)?.slice(0, 60) ?? typeof v}`);

function str(o: Bag, key: string, path: string, optional = false): string | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || (!optional && v === '')) throw new SinkEventError(path + key, `must be a non-empty string (${describe(v)})`);
  return v;
}

function uint64(o: Bag, key: string, path: string, optional = false): string | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || !/^\d{1,20}$/.test(v) || BigInt(v) > UINT64_MAX) {
    throw new SinkEventError(path + key, `must be a uint64 as a decimal string (${describe(v)})`);
  }
  return v;
}

/**
 * Checks that a value is a well-formed v1 event, field by field, without decoding payloads (the
 * base64 alphabet is checked by {@link decodeSinkBatch}, which decodes anyway).
 * Throws {@link SinkEventError} naming the first wrong field; says so when it is another
 * platform's event (SQS, Kinesis, EventBridge...). Unknown extra fields are ignored.
 */
export function parseSinkBatchEvent(input: unknown): SinkBatchEventV1 {
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input);
    } catch {
      throw new SinkEventError('(body)', 'is not JSON');
    }
  }
  if (!isObject(input)) throw new SinkEventError('(event)', `must be a JSON object (${describe(input)})`);
  if (input.type !== SINK_BATCH_EVENT_TYPE) {
    const hint = Array.isArray(input.Records)
      ? '; this looks like an AWS event source event (Records)'
      : input.source !== undefined && input['detail-type'] !== undefined
        ? '; this looks like an EventBridge event'
        : '';
    throw new SinkEventError('type', `must be "${SINK_BATCH_EVENT_TYPE}" (${describe(input.type)})${hint}`);
  }
  str(input, 'binding', '');
  str(input, 'topic', '');
  str(input, 'subscription', '');
  if (!Array.isArray(input.records)) throw new SinkEventError('records', `must be an array (${describe(input.records)})`);
  const seen = new Map<string, number>();
  input.records.forEach((r: unknown, i: number) => {
    const path = `records[${i}].`;
    if (!isObject(r)) throw new SinkEventError(`records[${i}]`, `must be an object (${describe(r)})`);
    const id = str(r, 'id', path)!;
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new SinkEventError(`${path}id`, `repeats records[${earlier}].id ("${id}")`);
    seen.set(id, i);
    str(r, 'topic', path);
    uint64(r, 'offset', path);
    if (typeof r.publishTime !== 'number' || !Number.isFinite(r.publishTime) || r.publishTime < 0) {
      throw new SinkEventError(`${path}publishTime`, `must be milliseconds since the epoch (${describe(r.publishTime)})`);
    }
    if (typeof r.producerName !== 'string') throw new SinkEventError(`${path}producerName`, `must be a string (${describe(r.producerName)})`);
    if (r.attributes !== undefined) {
      if (!isObject(r.attributes)) throw new SinkEventError(`${path}attributes`, `must be an object of strings (${describe(r.attributes)})`);
      for (const [k, v] of Object.entries(r.attributes)) {
        if (typeof v !== 'string') throw new SinkEventError(`${path}attributes.${k}`, `must be a string (${describe(v)})`);
      }
    }
    str(r, 'routingKey', path, true);
    uint64(r, 'schemaId', path, true);
    if (r.schemaVersion !== undefined && (!Number.isInteger(r.schemaVersion) || (r.schemaVersion as number) < 0)) {
      throw new SinkEventError(`${path}schemaVersion`, `must be a non-negative integer (${describe(r.schemaVersion)})`);
    }
    if (r.attempt !== undefined && (!Number.isInteger(r.attempt) || (r.attempt as number) < 1)) {
      throw new SinkEventError(`${path}attempt`, `must be an integer ≥ 1 (${describe(r.attempt)})`);
    }
    // The alphabet itself is checked where the payload is decoded (decodeSinkBatch), in one pass.
    if (typeof r.payload !== 'string' || r.payload.length % 4 !== 0) {
      throw new SinkEventError(`${path}payload`, `must be a base64 string (${typeof r.payload === 'string' ? 'not valid base64' : describe(r.payload)})`);
    }
  });
  return input as unknown as SinkBatchEventV1;
}

/** A decoded batch: records ready for a handler, plus those that could not even be decoded. */
export interface DecodedSinkBatch extends SinkBatchMeta {
  records: SinkRecord[];
  /** Records whose payload could not be decoded (e.g. corrupt gzip): they can never succeed. */
  undecodable: Array<{ id: string; error: ConnectorError }>;
}

/**
 * Validates (see {@link parseSinkBatchEvent}) and decodes an event into {@link SinkRecord}s,
 * decompressing gzip payloads. Async because decompression uses Web streams.
 *
 * @example
 * const batch = await decodeSinkBatch(JSON.parse(body));
 */
export async function decodeSinkBatch(input: unknown): Promise<DecodedSinkBatch> {
  const event = parseSinkBatchEvent(input);
  const undecodable: DecodedSinkBatch['undecodable'] = [];
  const payloads = event.records.map((r, i) => {
    try {
      return fromBase64(r.payload);
    } catch {
      throw new SinkEventError(`records[${i}].payload`, 'must be a base64 string (not valid base64)');
    }
  });
  const decoded = await Promise.all(
    event.records.map(async (r, i) => {
      const init: SinkRecordInit = {
        id: r.id,
        topic: r.topic,
        offset: BigInt(r.offset),
        publishTime: r.publishTime,
        producerName: r.producerName,
        attributes: r.attributes ?? {},
        attempt: r.attempt ?? 1,
        payload: payloads[i]!,
      };
      if (r.routingKey !== undefined) init.routingKey = r.routingKey;
      if (r.schemaId !== undefined) init.schemaId = BigInt(r.schemaId);
      if (r.schemaVersion !== undefined) init.schemaVersion = r.schemaVersion;
      try {
        return await createSinkRecord(init);
      } catch (err) {
        undecodable.push({ id: r.id, error: classifyError(err) });
        return undefined;
      }
    }),
  );
  const batch: DecodedSinkBatch = {
    binding: event.binding,
    topic: event.topic,
    subscription: event.subscription,
    records: decoded.filter((r): r is SinkRecord => r !== undefined),
    undecodable,
  };
  // Carried as they came; whoever uses them checks the format (a malformed one is ignored).
  if (typeof event.traceparent === 'string') batch.traceparent = event.traceparent;
  if (typeof event.tracestate === 'string') batch.tracestate = event.tracestate;
  return batch;
}

/** A function's answer as the relay reads it. */
export type SinkAnswer = { ok: true; failures: SinkBatchItemFailure[] } | { ok: false; error: string };

/**
 * Reads a function's answer against the ids of the batch it was given, with AWS semantics:
 * nothing, `null`, `{}` or an empty list = all succeeded; a list of failures = those failed; an
 * empty, missing or unknown identifier, or a misspelled shape, = the whole batch failed.
 *
 * @example
 * const answer = parseSinkBatchResponse(JSON.parse(text || 'null'), event.records.map((r) => r.id));
 * if (!answer.ok) retryWholeBatch(answer.error);
 */
export function parseSinkBatchResponse(answer: unknown, ids: Iterable<string>): SinkAnswer {
  if (answer === undefined || answer === null || answer === '') return { ok: true, failures: [] };
  if (!isObject(answer)) return { ok: false, error: `the answer must be an object with batchItemFailures (${describe(answer)})` };
  const list = answer.batchItemFailures;
  if (list === null) return { ok: true, failures: [] };
  if (list === undefined) {
    const keys = Object.keys(answer);
    return keys.length === 0 ? { ok: true, failures: [] } : { ok: false, error: `the answer has no batchItemFailures (keys: ${keys.join(', ')})` };
  }
  if (!Array.isArray(list)) return { ok: false, error: `batchItemFailures must be an array (${describe(list)})` };
  const known = ids instanceof Set ? (ids as Set<string>) : new Set(ids);
  const failures: SinkBatchItemFailure[] = [];
  const seen = new Set<string>();
  for (const [i, item] of list.entries()) {
    const id = isObject(item) ? item.itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') return { ok: false, error: `batchItemFailures[${i}].itemIdentifier must be a non-empty string (${describe(id)})` };
    if (!known.has(id)) return { ok: false, error: `batchItemFailures[${i}].itemIdentifier "${id}" is not a record of this batch` };
    if (seen.has(id)) continue;
    seen.add(id);
    const failure: SinkBatchItemFailure = { itemIdentifier: id };
    const reason = (item as Bag).reason;
    if (reason === 'invalid' || reason === 'retryable' || reason === 'fatal') failure.reason = reason;
    if (typeof (item as Bag).message === 'string') failure.message = (item as Bag).message as string;
    failures.push(failure);
  }
  return { ok: true, failures };
}
