import { describe, expect, it } from 'vitest';
import { deadLetterAttributes } from '../../../src/core/dead-letter.js';
import { payloadPreview, redriveMessage } from '../../../src/dlq/index.js';
import { matchesFilter, toDeadLetterRecord } from '../../../src/dlq/record.js';
import { parseFilter, parseTime } from '../../../src/cli/dlq/dlq-args.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('payloadPreview', () => {
  it('pretty-prints JSON, keeps text, shows anything else as hex, and says when it cut', () => {
    expect(payloadPreview(utf8('{"a":[1,2]}'))).toEqual({ kind: 'json', text: '{\n  "a": [\n    1,\n    2\n  ]\n}', truncated: false, bytes: 11 });
    expect(payloadPreview(utf8('{"orderId": "o-1"'))).toMatchObject({ kind: 'text', text: '{"orderId": "o-1"' });
    expect(payloadPreview(utf8('héllo\nworld'))).toMatchObject({ kind: 'text', text: 'héllo\nworld', bytes: 12 });
    expect(payloadPreview(new Uint8Array([0, 1, 0xff]))).toEqual({ kind: 'binary', text: '0001ff', truncated: false, bytes: 3 });
    expect(payloadPreview(utf8('text\u0000with a NUL')).kind).toBe('binary');
    expect(payloadPreview(utf8('x'.repeat(100)), 10)).toEqual({ kind: 'text', text: 'x'.repeat(10), truncated: true, bytes: 100 });
    expect(payloadPreview(new Uint8Array(64).fill(0xfe), 4)).toMatchObject({ kind: 'binary', text: 'fefefefe', truncated: true });
  });
});

const envelope = {
  reason: 'retries-exhausted' as const,
  error: 'HTTP 503',
  errorClass: 'InvokeError',
  origin: 'relay:orders-wh',
  attempts: 4,
  firstFailureAt: 1_000,
  lastFailureAt: 2_000,
  originalTopic: '/default/orders',
  originalPartition: 1,
  originalOffset: 41n,
  originalRecordId: 'orders@abc:3',
  originalKey: 'customer-7',
};

describe('dead-letter records and filters', () => {
  const msg = {
    topic: '/default/orders-dlq',
    offset: 5n,
    publishTime: 2_100,
    payload: utf8('{"n":1}'),
    attributes: deadLetterAttributes({ 'content-type': 'application/json', 'x-danube-prior-attempts': '2' }, envelope),
    routingKey: 'customer-7',
  };
  const record = toDeadLetterRecord(msg);

  it('reads the envelope, keeps the record’s own attributes, and adds up earlier attempts', () => {
    expect(record).toMatchObject({ id: '/default/orders-dlq@5', key: 'customer-7', attributes: { 'content-type': 'application/json' } });
    expect(record.envelope).toMatchObject({ ...envelope, attempts: 6 });
  });

  it('redrives without the envelope, with the original record id and the attempts so far', () => {
    expect(redriveMessage(record)).toEqual({
      payload: msg.payload,
      key: 'customer-7',
      attributes: { 'content-type': 'application/json', 'x-danube-record-id': 'orders@abc:3', 'x-danube-prior-attempts': '6' },
    });
  });

  it('understands what the broker’s own poison policy writes', () => {
    const broker = toDeadLetterRecord({
      ...msg,
      attributes: {
        'x-original-topic': '/default/orders-part-2',
        'x-original-subscription': 'wh',
        'x-original-topic-offset': '9',
        'x-delivery-attempt': '6',
        'x-failure-reason': 'ack timeout',
        a: 'b',
      },
    });
    expect(broker.envelope).toMatchObject({
      reason: 'retries-exhausted',
      origin: 'broker:wh',
      attempts: 6,
      error: 'ack timeout',
      originalTopic: '/default/orders',
      originalOffset: 9n,
    });
    expect(broker.attributes).toEqual({ a: 'b' });
  });

  it('matches every given field: reasons, origin (or its kind), time range, key, ids', () => {
    expect(matchesFilter(record, {})).toBe(true);
    expect(matchesFilter(record, { reasons: ['invalid-record'] })).toBe(false);
    expect(matchesFilter(record, { reasons: ['invalid-record', 'retries-exhausted'], origin: 'relay' })).toBe(true);
    expect(matchesFilter(record, { origin: 'relay:other' })).toBe(false);
    expect(matchesFilter(record, { origin: 'source' })).toBe(false);
    expect(matchesFilter(record, { since: 2_000, until: 2_001 })).toBe(true);
    expect(matchesFilter(record, { until: 2_000 })).toBe(false);
    expect(matchesFilter(record, { key: 'customer-7', ids: ['/default/orders-dlq@5'] })).toBe(true);
    expect(matchesFilter(record, { key: 'customer-8' })).toBe(false);
  });

  it('reads filters from flags, naming a bad one', () => {
    const now = 10_000_000;
    expect(parseTime('since', '2h', now)).toBe(now - 7_200_000);
    expect(parseTime('since', '2026-12-03T10:00:00Z', now)).toBe(Date.parse('2026-12-03T10:00:00Z'));
    expect(parseFilter({ reason: ['too-large'], origin: 'relay', since: '15m', key: 'k', id: ['a@1'] }, now)).toEqual({
      reasons: ['too-large'],
      origin: 'relay',
      since: now - 900_000,
      key: 'k',
      ids: ['a@1'],
    });
    expect(() => parseFilter({ reason: ['nope'] })).toThrow(/--reason must be one of invalid-record/);
    expect(() => parseTime('until', 'yesterday')).toThrow(/--until must be an ISO date/);
  });
});
