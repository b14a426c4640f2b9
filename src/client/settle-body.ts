import type { AckRequest, MsgID, NackRequest } from '../generated/danube/DanubeApi.js';
import { delimitedSize, varintSizeBig, writeString, writeVarint, writeVarintBig } from './proto-writer.js';
import type { BodyWriter } from './h2/stream.js';

/**
 * Encodes AckRequest / NackRequest straight into the transport's output, byte for byte as the
 * generated encoders do. One instance per partition consumer: the subscription name is encoded
 * once, and the msg_id's topic and broker strings are measured once per distinct value (every
 * message of a partition carries the same ones). Used synchronously: the transport reads
 * `byteLength` and calls `writeTo` within one `unary()` call, so the instance is reused.
 */
export class SettleBodyEncoder implements BodyWriter {
  private readonly subscriptionBytes: number;
  private topic = '';
  private topicBytes = 0;
  private broker = '';
  private brokerBytes = 0;
  // Producer ids are random 64-bit numbers (slow to encode as bigints): encoded once per producer.
  private producer = 0n;
  private producerVarint: Buffer = Buffer.alloc(0);
  // The request being encoded.
  private requestId = 0n;
  private msgId: MsgID | undefined;
  private delayMs: bigint | undefined;
  private reason: string | undefined;
  private reasonBytes = 0;
  private msgIdBytes = 0;
  byteLength = 0;

  constructor(private readonly subscription: string) {
    this.subscriptionBytes = Buffer.byteLength(subscription);
  }

  /** Prepares `request` (an ack, or a nack with its optional fields); returns this as the body. */
  prepare(request: AckRequest | NackRequest): this {
    this.requestId = request.requestId;
    this.msgId = request.msgId;
    this.delayMs = (request as NackRequest).delayMs;
    this.reason = (request as NackRequest).reason;
    let size = 0;
    if (this.requestId !== 0n) size += 1 + varintSizeBig(this.requestId);
    if (this.msgId) {
      this.msgIdBytes = this.msgIdSize(this.msgId);
      size += delimitedSize(this.msgIdBytes);
    }
    if (this.subscriptionBytes > 0) size += delimitedSize(this.subscriptionBytes);
    if (this.delayMs !== undefined) size += 1 + varintSizeBig(this.delayMs);
    if (this.reason !== undefined) {
      this.reasonBytes = Buffer.byteLength(this.reason);
      size += delimitedSize(this.reasonBytes);
    }
    this.byteLength = size;
    return this;
  }

  private msgIdSize(id: MsgID): number {
    if (id.topicName !== this.topic) {
      this.topic = id.topicName;
      this.topicBytes = Buffer.byteLength(id.topicName);
    }
    if (id.brokerAddr !== this.broker) {
      this.broker = id.brokerAddr;
      this.brokerBytes = Buffer.byteLength(id.brokerAddr);
    }
    if (id.producerId !== this.producer) {
      this.producer = id.producerId;
      const tmp = Buffer.allocUnsafe(10);
      this.producerVarint = Buffer.from(tmp.subarray(0, writeVarintBig(tmp, 0, id.producerId)));
    }
    let size = 0;
    if (id.producerId !== 0n) size += 1 + this.producerVarint.length;
    if (this.topicBytes > 0) size += delimitedSize(this.topicBytes);
    if (this.brokerBytes > 0) size += delimitedSize(this.brokerBytes);
    if (id.topicOffset !== 0n) size += 1 + varintSizeBig(id.topicOffset);
    return size;
  }

  writeTo(buf: Buffer, at: number): void {
    if (this.requestId !== 0n) {
      buf[at++] = 0x08;
      at = writeVarintBig(buf, at, this.requestId);
    }
    const id = this.msgId;
    if (id) {
      buf[at++] = 0x12;
      at = writeVarint(buf, at, this.msgIdBytes);
      if (id.producerId !== 0n) {
        buf[at++] = 0x08;
        at += this.producerVarint.copy(buf, at);
      }
      if (this.topicBytes > 0) at = writeString(buf, at, 0x12, id.topicName, this.topicBytes);
      if (this.brokerBytes > 0) at = writeString(buf, at, 0x1a, id.brokerAddr, this.brokerBytes);
      if (id.topicOffset !== 0n) {
        buf[at++] = 0x28;
        at = writeVarintBig(buf, at, id.topicOffset);
      }
    }
    if (this.subscriptionBytes > 0) at = writeString(buf, at, 0x1a, this.subscription, this.subscriptionBytes);
    if (this.delayMs !== undefined) {
      buf[at++] = 0x20;
      at = writeVarintBig(buf, at, this.delayMs);
    }
    if (this.reason !== undefined) writeString(buf, at, 0x2a, this.reason, this.reasonBytes);
  }
}
