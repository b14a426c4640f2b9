import { toBase64 } from '../../core/bytes.js';
import { InvalidRecordError } from '../../core/errors.js';
import type { SinkRecord } from '../../core/records.js';
import type { HttpSinkConfig } from './options.js';

/** One HTTP request to make: which records it carries and what to send. */
export interface HttpSinkRequest {
  records: SinkRecord[];
  /** Lower-case header names. A plain object: cheaper per request than `Headers`. */
  headers: Record<string, string>;
  body: Uint8Array | string;
}

const base = new WeakMap<HttpSinkConfig, Record<string, string>>();
function baseHeaders(config: HttpSinkConfig): Record<string, string> {
  let h = base.get(config);
  if (!h) {
    h = Object.fromEntries(Object.entries(config.headers).map(([k, v]) => [k.toLowerCase(), v]));
    base.set(config, h);
  }
  return { ...h };
}

/** The request for one record: its payload as the body, its metadata as headers. */
export function recordRequest(config: HttpSinkConfig, record: SinkRecord): HttpSinkRequest {
  const headers = baseHeaders(config);
  headers['content-type'] ??= record.attributes['content-type'] ?? 'application/json';
  if (config.idempotencyHeader) headers[config.idempotencyHeader.toLowerCase()] = record.id;
  if (config.metadataHeaders) {
    headers['x-danube-topic'] = record.logicalTopic;
    headers['x-danube-partition-topic'] = record.topic;
    headers['x-danube-offset'] = record.offset.toString();
    headers['x-danube-publish-time'] = String(record.publishTime);
    headers['x-danube-record-id'] = record.id;
    headers['x-danube-attempt'] = String(record.attempt);
    if (record.routingKey !== undefined) headers['x-danube-key'] = record.routingKey;
  }
  for (const [attribute, header] of Object.entries(config.attributeHeaders)) {
    const value = record.attributes[attribute];
    if (value !== undefined) headers[header.toLowerCase()] = value;
  }
  return { records: [record], headers, body: record.payload };
}

/** One element of a batch body in `envelopes` format. */
export interface HttpSinkEnvelope {
  id: string;
  topic: string;
  offset: string;
  publishTime: number;
  key?: string;
  attributes: Record<string, string>;
  /** The payload parsed as JSON, when it is JSON. */
  value?: unknown;
  /** The payload in base64, when it is not JSON. */
  payloadBase64?: string;
}

/**
 * The request for a batch: a JSON array. Records whose payload cannot go into it (not JSON, in
 * `payloads` format) come back in `invalid`.
 */
export function batchRequest(config: HttpSinkConfig, records: SinkRecord[]): { request?: HttpSinkRequest; invalid: InvalidRecordError[] } {
  const invalid: InvalidRecordError[] = [];
  const items: unknown[] = [];
  const carried: SinkRecord[] = [];
  for (const record of records) {
    let value: unknown;
    let isJson = true;
    try {
      value = JSON.parse(record.text());
    } catch {
      isJson = false;
    }
    if (config.batchFormat === 'payloads') {
      if (!isJson) {
        invalid.push(new InvalidRecordError(`record ${record.id} payload is not JSON`, { record }));
        continue;
      }
      items.push(value);
    } else {
      const env: HttpSinkEnvelope = {
        id: record.id,
        topic: record.topic,
        offset: record.offset.toString(),
        publishTime: record.publishTime,
        attributes: { ...record.attributes },
      };
      if (record.routingKey !== undefined) env.key = record.routingKey;
      if (isJson) env.value = value;
      else env.payloadBase64 = toBase64(record.payload);
      items.push(env);
    }
    carried.push(record);
  }
  if (carried.length === 0) return { invalid };
  const headers = baseHeaders(config);
  headers['content-type'] ??= 'application/json';
  const first = carried[0]!;
  if (config.idempotencyHeader) headers[config.idempotencyHeader.toLowerCase()] = `${first.id}+${carried.length}`;
  if (config.metadataHeaders) {
    headers['x-danube-topic'] = first.logicalTopic;
    headers['x-danube-record-count'] = String(carried.length);
  }
  return { request: { records: carried, headers, body: JSON.stringify(items) }, invalid };
}
