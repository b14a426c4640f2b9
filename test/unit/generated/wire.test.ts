import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { MsgID, StreamMessage, TopicLookupResponse, TopicLookupResponse_LookupType } from '../../../src/generated/danube/DanubeApi.js';

// Field numbers are the contract with a real Danube broker: these bytes are what
// a v0.15 broker writes and reads.
describe('generated wire code', () => {
  it('encodes MsgID.topic_offset as field 5 (field 4 is unused on the wire)', () => {
    const bytes = MsgID.encode({ producerId: 0n, topicName: '', brokerAddr: '', topicOffset: 7n }).finish();
    expect(Array.from(bytes)).toEqual([0x28, 7]);
  });

  it('keeps uint64 ids above 2^53 exact', () => {
    const id = 0xfedcba9876543210n;
    const bytes = MsgID.encode({ producerId: id, topicName: '/default/t', brokerAddr: '', topicOffset: 0n }).finish();
    expect(MsgID.decode(bytes).producerId).toBe(id);
  });

  it('numbers TopicLookupResponse fields from 3', () => {
    const bytes = TopicLookupResponse.encode({
      requestId: 1n,
      responseType: TopicLookupResponse_LookupType.Connect,
      connectUrl: 'x',
      brokerUrl: '',
      proxy: true,
    }).finish();
    expect(Array.from(bytes)).toEqual([0x18, 1, 0x20, 1, 0x2a, 1, 0x78, 0x38, 1]);
  });

  it('gives routing_key explicit presence (field 10, sent even when empty)', () => {
    const bytes = StreamMessage.encode(StreamMessage.fromPartial({ routingKey: '' })).finish();
    expect(Array.from(bytes)).toEqual([0x52, 0]);
  });

  it('src/generated matches what npm run gen makes from proto/', () => {
    const out = execFileSync('node', ['scripts/check-generated.mjs'], { encoding: 'utf8' });
    expect(out).toContain('up to date');
  });
});
