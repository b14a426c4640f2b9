import type { MsgID, StreamMessage } from '../generated/danube/DanubeApi.js';

/**
 * A message as a consumer receives it.
 *
 * @example
 * for await (const msg of consumer) {
 *   const order = JSON.parse(new TextDecoder().decode(msg.payload));
 *   logger.info({ topic: msg.topic, offset: msg.offset }, 'received');
 *   await consumer.ack(msg);
 * }
 */
export interface DanubeMessage {
  /** The partition topic it came from (`/ns/t-part-2`), or the topic itself when not partitioned. */
  topic: string;
  /** The topic the consumer subscribed to (`/ns/t`). */
  logicalTopic: string;
  /** Position in the partition (WAL offset on reliable topics; 0 on non-reliable ones). */
  offset: bigint;
  payload: Uint8Array;
  /** Producer's clock when it sent the message, milliseconds since the epoch. */
  publishTime: number;
  producerName: string;
  attributes: Record<string, string>;
  routingKey?: string;
  schemaId?: bigint;
  schemaVersion?: number;
  /** The producer's request id for this message. */
  requestId: bigint;
  /** The broker's message id, kept untouched: acks and nacks send it back as is. */
  msgId: MsgID;
}

const EMPTY_MSG_ID: MsgID = { producerId: 0n, topicName: '', brokerAddr: '', topicOffset: 0n };

/** Turns a `StreamMessage` from ReceiveMessages into a `DanubeMessage`. */
export function toDanubeMessage(message: StreamMessage, partitionTopic: string, logicalTopic: string): DanubeMessage {
  const msgId = message.msgId ?? EMPTY_MSG_ID;
  // Every field always set (optional ones to undefined): one object shape for the hot path.
  return {
    topic: msgId.topicName || partitionTopic,
    logicalTopic,
    offset: msgId.topicOffset,
    payload: message.payload,
    publishTime: Number(message.publishTime),
    producerName: message.producerName,
    attributes: message.attributes,
    routingKey: message.routingKey,
    schemaId: message.schemaId,
    schemaVersion: message.schemaVersion,
    requestId: message.requestId,
    msgId,
  };
}

const encoder = new TextEncoder();

/** Payload bytes of a send: strings are sent as UTF-8. */
export function payloadBytes(payload: Uint8Array | string): Uint8Array {
  if (typeof payload === 'string') return encoder.encode(payload);
  return payload;
}

/**
 * A generous upper bound of the encoded size of a message: payload, attributes, key and the
 * fixed fields (ids, topic, names). Compared against the broker's gRPC limit before sending, so
 * an oversize message fails locally with a clear error instead of a transport reset.
 */
export function estimateEncodedSize(payloadLength: number, attributes: Record<string, string> | undefined, key: string | undefined, fixed: number): number {
  let size = payloadLength + fixed + 64;
  if (attributes) for (const name in attributes) size += name.length * 3 + attributes[name]!.length * 3 + 8;
  if (key) size += key.length * 3 + 4;
  return size;
}
