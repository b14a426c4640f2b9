import { describe, expect, it } from 'vitest';
import { createSinkRecord, fromUtf8, gzip, InvalidRecordError, SinkRecord, SourceRecord, utf8 } from '../../../src/core/index.js';

const base = { topic: '/default/orders-part-2', offset: 42n, publishTime: 1763800000000, producerName: 'orders-src', attributes: {} };

describe('SinkRecord', () => {
  it('derives id, logical topic, publish date; reads text and JSON', () => {
    const r = new SinkRecord({ ...base, payload: utf8('{"sku":"A1","qty":2}'), routingKey: 'cust-7', schemaId: 3n, schemaVersion: 1 });
    expect(r.id).toBe('/default/orders-part-2@42');
    expect(r.logicalTopic).toBe('/default/orders');
    expect(r.publishDate.toISOString()).toBe('2025-11-22T08:26:40.000Z');
    expect(r.json<{ sku: string }>().sku).toBe('A1');
    expect(r.text()).toContain('qty');
    expect(r.schema).toEqual({ id: 3n, version: 1 });
    expect(r.attempt).toBe(1);
  });

  it('a payload that is not JSON is an invalid record naming its id', () => {
    const r = new SinkRecord({ ...base, payload: utf8('not json') });
    expect(() => r.json()).toThrow(InvalidRecordError);
    expect(() => r.json()).toThrow(/orders-part-2@42/);
  });

  it('decompresses gzip payloads transparently, and reports corrupt ones', async () => {
    const r = await createSinkRecord({ ...base, attributes: { compression: 'gzip' }, payload: await gzip(utf8('{"big":true}')) });
    expect(r.json()).toEqual({ big: true });
    await expect(createSinkRecord({ ...base, attributes: { compression: 'gzip' }, payload: utf8('plain') })).rejects.toBeInstanceOf(InvalidRecordError);
    const plain = await createSinkRecord({ ...base, payload: utf8('x') });
    expect(plain.text()).toBe('x');
  });
});

describe('SourceRecord builders', () => {
  it('build from bytes, text and JSON (bigint safe)', () => {
    const j = SourceRecord.fromJson({ id: 1n << 63n, name: 'a' }, { key: 'k', attributes: { origin: 'pg' } });
    expect(fromUtf8(j.payload)).toBe('{"id":"9223372036854775808","name":"a"}');
    expect(j.attributes).toEqual({ 'content-type': 'application/json', origin: 'pg' });
    expect(j.key).toBe('k');
    const s = SourceRecord.fromString('hello', { topic: '/default/t' });
    expect([s.topic, fromUtf8(s.payload)]).toEqual(['/default/t', 'hello']);
    const b = SourceRecord.fromBytes(new Uint8Array([1, 2]));
    expect([...b.payload]).toEqual([1, 2]);
    expect(b.attributes).toEqual({});
  });
});
