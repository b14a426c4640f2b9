import { describe, expect, it } from 'vitest';
import { StreamMessage } from '../../../src/generated/danube/DanubeApi.js';
import { estimateEncodedSize, payloadBytes, toDanubeMessage } from '../../../src/client/message.js';

describe('toDanubeMessage', () => {
  it('converts a delivered StreamMessage, keeping msg_id untouched for the ack', () => {
    const wire = StreamMessage.decode(
      StreamMessage.encode({
        requestId: 9n,
        msgId: { producerId: 0xfedcba9876543210n, topicName: '/default/t-part-1', brokerAddr: 'http://b:1', topicOffset: 42n },
        payload: Buffer.from('hi'),
        publishTime: 1763800000123n,
        producerName: 'p-1',
        subscriptionName: '',
        attributes: { a: 'b' },
        schemaId: 3n,
        schemaVersion: 2,
        routingKey: 'cust-7',
      }).finish(),
    );
    const m = toDanubeMessage(wire, '/default/t-part-1', '/default/t');
    expect(m).toMatchObject({
      topic: '/default/t-part-1',
      logicalTopic: '/default/t',
      offset: 42n,
      publishTime: 1763800000123,
      producerName: 'p-1',
      attributes: { a: 'b' },
      schemaId: 3n,
      schemaVersion: 2,
      routingKey: 'cust-7',
      requestId: 9n,
    });
    expect(m.msgId).toBe(wire.msgId);
    expect(Buffer.from(m.payload).toString()).toBe('hi');
  });

  it('leaves optional fields absent when the producer did not set them', () => {
    const m = toDanubeMessage(StreamMessage.fromPartial({ msgId: { topicName: '/default/t' } }), '/default/t', '/default/t');
    expect([m.routingKey, m.schemaId, m.schemaVersion]).toEqual([undefined, undefined, undefined]);
  });
});

describe('payload helpers', () => {
  it('encodes strings as UTF-8 and bounds the encoded size', () => {
    expect(Array.from(payloadBytes('é'))).toEqual([0xc3, 0xa9]);
    const size = estimateEncodedSize(1000, { k: 'v' }, 'key', 100);
    const encoded = StreamMessage.encode({
      requestId: 1n,
      msgId: { producerId: 2n ** 63n, topicName: 'x'.repeat(40), brokerAddr: 'y'.repeat(40), topicOffset: 0n },
      payload: Buffer.alloc(1000),
      publishTime: BigInt(Date.now()),
      producerName: 'p',
      subscriptionName: '',
      attributes: { k: 'v' },
      routingKey: 'key',
    }).finish();
    expect(size).toBeGreaterThanOrEqual(encoded.length);
  });
});
