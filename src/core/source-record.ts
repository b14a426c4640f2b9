import { stringifyJson, utf8 } from './bytes.js';

/**
 * A record a source publishes to Danube. `topic` is optional: a source usually names one topic
 * (or a route function) for all its records.
 */
export interface SourceRecord {
  topic?: string;
  payload: Uint8Array;
  attributes: Record<string, string>;
  /** The routing key: same key, same partition, kept in order. */
  key?: string;
}

/** Options every {@link SourceRecord} builder takes. */
export interface SourceRecordOptions {
  topic?: string;
  attributes?: Record<string, string>;
  key?: string;
}

function build(payload: Uint8Array, options: SourceRecordOptions, defaults: Record<string, string> = {}): SourceRecord {
  const record: SourceRecord = { payload, attributes: { ...defaults, ...options.attributes } };
  if (options.topic !== undefined) record.topic = options.topic;
  if (options.key !== undefined) record.key = options.key;
  return record;
}

/**
 * Builders of {@link SourceRecord}s from bytes, text or JSON.
 *
 * @example
 * return { records: rows.map((r) => SourceRecord.fromJson(r, { key: r.customerId })), checkpoint };
 */
export const SourceRecord = {
  /** Payload taken as given. */
  fromBytes(payload: Uint8Array, options: SourceRecordOptions = {}): SourceRecord {
    return build(payload, options);
  },
  /** UTF-8 text payload; sets `content-type: text/plain` unless given. */
  fromString(text: string, options: SourceRecordOptions = {}): SourceRecord {
    return build(utf8(text), options, { 'content-type': 'text/plain; charset=utf-8' });
  },
  /** JSON payload (bigint written as a decimal string); sets `content-type: application/json`. */
  fromJson(value: unknown, options: SourceRecordOptions = {}): SourceRecord {
    const text = stringifyJson(value);
    if (text === undefined) throw new TypeError('SourceRecord.fromJson: value has no JSON form');
    return build(utf8(text), options, { 'content-type': 'application/json' });
  },
};
