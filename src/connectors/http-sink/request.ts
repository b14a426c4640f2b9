import { toBase64 } from '../../core/bytes.js';
import { InvalidRecordError } from '../../core/errors.js';
import type { SinkRecord } from '../../core/records.js';
import type { HttpSinkConfig } from './options.js';

/** One HTTP request to make: which records it carries and what to send. */
export interface HttpSinkRequest {
  records: SinkRecord[];
  headers: Headers;
  body: Uint8Array | string;
}

function baseHeaders(config: HttpSinkConfig): Headers {
  return new Headers(config.headers);
}

/** The request for one record: its payload as the body, its metadata as headers. */
export function recordRequest(config: HttpSinkConfig, record: SinkRecord): HttpSinkRequest {
  const headers = baseHeaders(config);
  if (!headers.has('content-type')) headers.set('content-type', record.attributes['content-type'] ?? 'application/json');
  if (config.idempotencyHeader) headers.set(config.idempotencyHeader, record.id);
  if (config.metadataHeaders) {
    headers.set('x-danube-topic', record.logicalTopic);
    headers.set('x-danube-partition-topic', record.topic);
    headers.set('x-danube-offset', record.offset.toString());
    headers.set('x-danube-publish-time', String(record.publishTime));
    headers.set('x-danube-record-id', record.id);
    headers.set('x-danube-attempt', String(record.attempt));
    if (record.routingKey !== undefined) headers.set('x-danube-key', record.routingKey);
  }
  for (const [attribute, header] of Object.entries(config.attributeHeaders)) {
    const value = record.attributes[attribute];
    if (value !== undefined) headers.set(header, value);
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
      const env: HttpSinkEnvelope = { id: record.id, topic: record.topic, offset: record.offset.toString(), publishTime: record.publishTime, attributes: { ...record.attributes } };
      if (record.routingKey !== undefined) env.key = record.routingKey;
      if (isJson) env.value = value;
      else env.payloadBase64 = toBase64(record.payload);
      items.push(env);
    }
    carried.push(record);
  }
  if (carried.length === 0) return { invalid };
  const headers = baseHeaders(config);
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  const first = carried[0]!;
  if (config.idempotencyHeader) headers.set(config.idempotencyHeader, `${first.id}+${carried.length}`);
  if (config.metadataHeaders) {
    headers.set('x-danube-topic', first.logicalTopic);
    headers.set('x-danube-record-count', String(carried.length));
  }
  return { request: { records: carried, headers, body: JSON.stringify(items) }, invalid };
}
