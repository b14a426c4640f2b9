import { MsgID, type StreamMessage } from '../generated/danube/DanubeApi.js';
import { delimitedSize, encodeField, varintSize, varintSizeBig, writeString, writeVarint, writeVarintBig } from './proto-writer.js';

/**
 * What every message of one partition producer shares, encoded once: the msg_id (producer id,
 * partition topic, broker URL), the producer name, and the schema id and version. Rebuilt when
 * the producer is re-created (a new id, maybe another broker).
 */
export class SendPrefix {
  readonly msgIdField: Buffer;
  readonly producerNameField: Buffer;
  readonly schemaFields: Buffer;

  constructor(
    readonly msgId: MsgID,
    readonly producerName: string,
    readonly schemaId: bigint | undefined,
    readonly schemaVersion: number | undefined,
  ) {
    this.msgIdField = encodeField(2, MsgID.encode(msgId).finish());
    this.producerNameField = producerName === '' ? Buffer.alloc(0) : encodeField(5, Buffer.from(producerName, 'utf8'));
    const schema: number[] = [];
    const at = (n: number | bigint, tag: number) => {
      const tmp = Buffer.allocUnsafe(11);
      tmp[0] = tag;
      const end = typeof n === 'bigint' ? writeVarintBig(tmp, 1, n) : writeVarint(tmp, 1, n);
      schema.push(...tmp.subarray(0, end));
    };
    if (schemaId !== undefined) at(schemaId, 0x40);
    if (schemaVersion !== undefined) at(schemaVersion, 0x48);
    this.schemaFields = Buffer.from(schema);
  }
}

/** The per-message part of a SendMessage request. */
export interface SendFields {
  requestId: bigint;
  payload: Uint8Array;
  /** Milliseconds since the epoch. */
  publishTime: number;
  attributes: Record<string, string>;
  routingKey: string | undefined;
}

/**
 * Encodes `StreamMessage` for SendMessage, byte for byte as the generated encoder does (fields in
 * number order, defaults left out), but from the shared prefix plus the per-message fields.
 * `size` must be called before `write`, with the same arguments.
 */
export class SendBodyEncoder {
  private attributeBytes = 0;
  private keyBytes = 0;

  size(prefix: SendPrefix, m: SendFields): number {
    let size = prefix.msgIdField.length + prefix.producerNameField.length + prefix.schemaFields.length;
    if (m.requestId !== 0n) size += 1 + varintSizeBig(m.requestId);
    if (m.payload.length !== 0) size += delimitedSize(m.payload.length);
    if (m.publishTime !== 0) size += 1 + varintSize(m.publishTime);
    let attributes = 0;
    for (const key in m.attributes) attributes += delimitedSize(entrySize(key, m.attributes[key]!));
    this.attributeBytes = attributes;
    size += attributes;
    if (m.routingKey !== undefined) {
      this.keyBytes = Buffer.byteLength(m.routingKey);
      size += delimitedSize(this.keyBytes);
    }
    return size;
  }

  write(prefix: SendPrefix, m: SendFields, buf: Buffer, at: number): void {
    if (m.requestId !== 0n) {
      buf[at++] = 0x08;
      at = writeVarintBig(buf, at, m.requestId);
    }
    at += prefix.msgIdField.copy(buf, at);
    if (m.payload.length !== 0) {
      buf[at++] = 0x1a;
      at = writeVarint(buf, at, m.payload.length);
      buf.set(m.payload, at);
      at += m.payload.length;
    }
    if (m.publishTime !== 0) {
      buf[at++] = 0x20;
      at = writeVarint(buf, at, m.publishTime);
    }
    at += prefix.producerNameField.copy(buf, at);
    if (this.attributeBytes > 0) {
      for (const key in m.attributes) {
        const value = m.attributes[key]!;
        buf[at++] = 0x3a;
        at = writeVarint(buf, at, entrySize(key, value));
        if (key !== '') at = writeString(buf, at, 0x0a, key, Buffer.byteLength(key));
        if (value !== '') at = writeString(buf, at, 0x12, value, Buffer.byteLength(value));
      }
    }
    at += prefix.schemaFields.copy(buf, at);
    if (m.routingKey !== undefined) writeString(buf, at, 0x52, m.routingKey, this.keyBytes);
  }
}

/** A map entry's body: key (field 1) and value (field 2), each left out when empty. */
function entrySize(key: string, value: string): number {
  return (key === '' ? 0 : delimitedSize(Buffer.byteLength(key))) + (value === '' ? 0 : delimitedSize(Buffer.byteLength(value)));
}

/** The same message as an object, for the @grpc/grpc-js transport. */
export function toStreamMessage(prefix: SendPrefix, m: SendFields): StreamMessage {
  return {
    requestId: m.requestId,
    msgId: prefix.msgId,
    payload: m.payload as Buffer,
    publishTime: BigInt(m.publishTime),
    producerName: prefix.producerName,
    subscriptionName: '',
    attributes: m.attributes,
    schemaId: prefix.schemaId,
    schemaVersion: prefix.schemaVersion,
    routingKey: m.routingKey,
  };
}
