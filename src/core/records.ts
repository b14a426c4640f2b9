import { InvalidRecordError } from './errors.js';
import { fromUtf8, gunzip } from './bytes.js';

/** The attribute that marks a gzip-compressed payload, and its value. */
export const COMPRESSION_ATTRIBUTE = 'compression';

/** Everything needed to build a {@link SinkRecord}; a `DanubeMessage` plus `attempt` fits. */
export interface SinkRecordInit {
  /** Defaults to `<topic>@<offset>`, unique within a subscription. */
  id?: string;
  /** The partition topic the message was read from, e.g. `/default/orders-part-0`. */
  topic: string;
  /** The topic as the user named it; derived from `topic` when absent. */
  logicalTopic?: string;
  offset: bigint;
  /** Milliseconds since the epoch, as Danube producers send it. */
  publishTime: number;
  producerName: string;
  attributes: Record<string, string>;
  routingKey?: string;
  schemaId?: bigint;
  schemaVersion?: number;
  /** 1 on the first delivery to the function. */
  attempt?: number;
  payload: Uint8Array;
}

/** The record id the relay and the sink agree on: `<partition topic>@<offset>`. */
export function recordId(topic: string, offset: bigint): string {
  return `${topic}@${offset}`;
}

/** `/default/orders-part-3` → `/default/orders`; other names unchanged. */
export function logicalTopicOf(topic: string): string {
  return topic.replace(/-part-\d+$/, '');
}

/**
 * One message handed to a sink function. Payloads published with attribute
 * `compression: gzip` are already decompressed here (see {@link createSinkRecord}).
 *
 * @example
 * const order = record.json<Order>();
 * logger.info({ id: record.id, at: record.publishDate.toISOString() }, 'order');
 */
export class SinkRecord {
  readonly id: string;
  readonly topic: string;
  readonly logicalTopic: string;
  readonly offset: bigint;
  readonly publishTime: number;
  readonly producerName: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly routingKey?: string;
  readonly schema?: { readonly id: bigint; readonly version?: number };
  readonly attempt: number;
  readonly payload: Uint8Array;

  /** Takes the payload as given; use {@link createSinkRecord} for transparent gzip. */
  constructor(init: SinkRecordInit) {
    this.id = init.id ?? recordId(init.topic, init.offset);
    this.topic = init.topic;
    this.logicalTopic = init.logicalTopic ?? logicalTopicOf(init.topic);
    this.offset = init.offset;
    this.publishTime = init.publishTime;
    this.producerName = init.producerName;
    this.attributes = init.attributes;
    if (init.routingKey !== undefined && init.routingKey !== '') this.routingKey = init.routingKey;
    if (init.schemaId !== undefined) {
      this.schema = init.schemaVersion === undefined ? { id: init.schemaId } : { id: init.schemaId, version: init.schemaVersion };
    }
    this.attempt = init.attempt ?? 1;
    this.payload = init.payload;
  }

  /** The publish time as a `Date`. */
  get publishDate(): Date {
    return new Date(this.publishTime);
  }

  /** The payload as UTF-8 text. */
  text(): string {
    return fromUtf8(this.payload);
  }

  /** The payload parsed as JSON; a payload that is not JSON is an {@link InvalidRecordError}. */
  json<T = unknown>(): T {
    try {
      return JSON.parse(this.text()) as T;
    } catch (err) {
      throw new InvalidRecordError(`record ${this.id} payload is not valid JSON`, { record: this, cause: err });
    }
  }

  /** A copy with some fields replaced (used by transforms). */
  with(changes: Partial<SinkRecordInit>): SinkRecord {
    return new SinkRecord({ ...this.toInit(), ...changes });
  }

  /** The fields of this record as a {@link SinkRecordInit}. */
  toInit(): SinkRecordInit {
    const init: SinkRecordInit = {
      id: this.id,
      topic: this.topic,
      logicalTopic: this.logicalTopic,
      offset: this.offset,
      publishTime: this.publishTime,
      producerName: this.producerName,
      attributes: { ...this.attributes },
      attempt: this.attempt,
      payload: this.payload,
    };
    if (this.routingKey !== undefined) init.routingKey = this.routingKey;
    if (this.schema) {
      init.schemaId = this.schema.id;
      if (this.schema.version !== undefined) init.schemaVersion = this.schema.version;
    }
    return init;
  }
}

/**
 * Builds a {@link SinkRecord}, decompressing a payload whose `compression` attribute is `gzip`
 * (Web `DecompressionStream`, so it runs in Workers too). A corrupt gzip payload is an
 * {@link InvalidRecordError}; another compression name is left as is.
 *
 * @example
 * const record = await createSinkRecord({ ...message, attempt: 1 });
 */
export async function createSinkRecord(init: SinkRecordInit): Promise<SinkRecord> {
  if (init.attributes[COMPRESSION_ATTRIBUTE]?.toLowerCase() !== 'gzip') return new SinkRecord(init);
  const id = init.id ?? recordId(init.topic, init.offset);
  try {
    return new SinkRecord({ ...init, id, payload: await gunzip(init.payload) });
  } catch (err) {
    throw new InvalidRecordError(`record ${id} is marked compression=gzip but does not decompress`, { recordId: id, cause: err });
  }
}
