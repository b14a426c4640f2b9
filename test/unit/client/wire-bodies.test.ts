import { describe, expect, it } from 'vitest';
import { AckRequest, NackRequest, StreamMessage } from '../../../src/generated/danube/DanubeApi.js';
import { SendBodyEncoder, SendPrefix, toStreamMessage, type SendFields } from '../../../src/client/send-body.js';
import { SettleBodyEncoder } from '../../../src/client/settle-body.js';

// The hot-path encoders must put on the wire exactly what the generated encoders would.
function encodeSend(prefix: SendPrefix, fields: SendFields): Buffer {
  const enc = new SendBodyEncoder();
  const size = enc.size(prefix, fields);
  const buf = Buffer.alloc(size + 3, 0xee);
  enc.write(prefix, fields, buf, 1);
  expect(buf[0]).toBe(0xee);
  expect(buf[size + 1]).toBe(0xee);
  return buf.subarray(1, size + 1);
}

const BIG_ID = 0xfedc_ba98_7654_3210n;

describe('SendMessage body', () => {
  const cases: Array<[string, SendPrefix, SendFields]> = [
    [
      'plain',
      new SendPrefix({ producerId: BIG_ID, topicName: '/default/t-part-3', brokerAddr: 'http://127.0.0.1:6650', topicOffset: 0n }, 'p-3', undefined, undefined),
      { requestId: 1n, payload: Buffer.from('hello'), publishTime: 1_763_800_000_000, attributes: {}, routingKey: undefined },
    ],
    [
      'attributes, key and schema',
      new SendPrefix({ producerId: 7n, topicName: '/default/ünïcode', brokerAddr: '', topicOffset: 0n }, 'prod', 3n, 2),
      {
        requestId: 300_000n,
        payload: Buffer.alloc(70_000, 1),
        publishTime: 5,
        attributes: { 'content-type': 'application/json', é: '€', empty: '', '': 'v' },
        routingKey: 'cust-7',
      },
    ],
    [
      'empty payload and big request id',
      new SendPrefix({ producerId: 0n, topicName: '/a/b', brokerAddr: 'x', topicOffset: 0n }, '', 0n, 0),
      { requestId: 2n ** 64n - 1n, payload: new Uint8Array(0), publishTime: 0, attributes: {}, routingKey: '' },
    ],
  ];
  for (const [name, prefix, fields] of cases) {
    it(`encodes as the generated encoder: ${name}`, () => {
      const expected = Buffer.from(StreamMessage.encode(toStreamMessage(prefix, fields)).finish());
      expect(encodeSend(prefix, fields).equals(expected)).toBe(true);
      expect(StreamMessage.decode(encodeSend(prefix, fields)).routingKey).toBe(fields.routingKey);
    });
  }
});

describe('Ack and Nack bodies', () => {
  const encode = (enc: SettleBodyEncoder, req: AckRequest | NackRequest) => {
    enc.prepare(req);
    const buf = Buffer.alloc(enc.byteLength);
    enc.writeTo(buf, 0);
    return buf;
  };
  const msgId = { producerId: BIG_ID, topicName: '/default/orders-part-1', brokerAddr: 'http://127.0.0.1:6650', topicOffset: 123_456n };

  it('encodes acks as the generated encoder, message after message', () => {
    const enc = new SettleBodyEncoder('orders-pg');
    for (const req of [
      { requestId: 42n, msgId, subscriptionName: 'orders-pg' },
      { requestId: 0n, msgId: { ...msgId, topicOffset: 0n, producerId: 0n }, subscriptionName: 'orders-pg' },
      { requestId: 9n, msgId: { ...msgId, topicName: '/default/other', brokerAddr: '' }, subscriptionName: 'orders-pg' },
    ]) {
      expect(encode(enc, req).equals(Buffer.from(AckRequest.encode(req).finish()))).toBe(true);
    }
  });

  it('encodes nacks with and without delay and reason', () => {
    const enc = new SettleBodyEncoder('s');
    for (const req of [
      { requestId: 1n, msgId, subscriptionName: 's', delayMs: 0n, reason: '' },
      { requestId: 1n, msgId, subscriptionName: 's', delayMs: 5_000n, reason: 'downstream busy ✗' },
      { requestId: 1n, msgId, subscriptionName: 's', delayMs: undefined, reason: undefined },
    ]) {
      expect(encode(enc, req).equals(Buffer.from(NackRequest.encode(req).finish()))).toBe(true);
    }
  });
});
