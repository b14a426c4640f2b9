import { describe, expect, it } from 'vitest';
import { gzip, utf8 } from '../../../src/core/index.js';
import { encodeSinkBatch, SinkEventError } from '../../../src/sink/index.js';
import { estimateEventBytes } from '../../../src/relay/tracked-record.js';
import { decodeSinkBatch, parseSinkBatchEvent, parseSinkBatchResponse } from '../../../src/sink/event.js';

const meta = { binding: 'orders-to-pg', topic: '/default/orders', subscription: 'orders-pg' };
const message = {
  topic: '/default/orders-part-0',
  offset: 18446744073709551615n,
  publishTime: 1763800000000,
  producerName: 'orders-src',
  attributes: { 'content-type': 'application/json' },
  routingKey: 'cust-7',
  schemaId: 3n,
  schemaVersion: 1,
  attempt: 2,
  payload: utf8('{"n":1}'),
};

// The literal example of design §4, as the relay sends it over Lambda or HTTP.
const designExample = {
  type: 'danube.sink.batch.v1',
  binding: 'orders-to-pg',
  topic: '/default/orders',
  subscription: 'orders-pg',
  records: [
    {
      id: '/default/orders-part-0@42',
      topic: '/default/orders-part-0',
      offset: '42',
      publishTime: 1763800000000,
      producerName: 'orders-src',
      attributes: { 'content-type': 'application/json' },
      routingKey: 'cust-7',
      schemaId: '3',
      schemaVersion: 1,
      attempt: 1,
      payload: Buffer.from('{"sku":"A1"}').toString('base64'),
    },
  ],
};

describe('sink batch event v1', () => {
  it('encodes to JSON-safe values and decodes back (uint64 intact)', async () => {
    const event = encodeSinkBatch([message], meta);
    const wire = JSON.parse(JSON.stringify(event));
    expect(wire.records[0]).toMatchObject({
      id: '/default/orders-part-0@18446744073709551615',
      offset: '18446744073709551615',
      schemaId: '3',
      attempt: 2,
      payload: 'eyJuIjoxfQ==',
    });
    const batch = await decodeSinkBatch(wire);
    const r = batch.records[0]!;
    expect([r.offset, r.schema, r.routingKey, r.attempt, r.logicalTopic, r.json()]).toEqual([
      18446744073709551615n,
      { id: 3n, version: 1 },
      'cust-7',
      2,
      '/default/orders',
      { n: 1 },
    ]);
    // The relay cuts batches by this estimate: it must never fall short of the encoded record.
    expect(estimateEventBytes(message)).toBeGreaterThanOrEqual(JSON.stringify(wire.records[0]).length);
  });

  it('carries the invocation trace context as optional fields; events without them are unchanged', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const event = JSON.parse(JSON.stringify(encodeSinkBatch([message], { ...meta, traceparent, tracestate: 'v=1' })));
    expect(event).toMatchObject({ traceparent, tracestate: 'v=1' });
    expect(parseSinkBatchEvent(event).traceparent).toBe(traceparent);
    expect(await decodeSinkBatch(event)).toMatchObject({ binding: 'orders-to-pg', traceparent, tracestate: 'v=1' });
    const plain = JSON.parse(JSON.stringify(encodeSinkBatch([message], meta)));
    expect(Object.keys(plain)).toEqual(['type', 'binding', 'topic', 'subscription', 'records']);
    expect(await decodeSinkBatch(plain)).not.toHaveProperty('traceparent');
    // An older relay's event, or a reader that ignores the fields: nothing else depends on them.
    expect((await decodeSinkBatch(designExample)).records).toHaveLength(1);
    expect(await decodeSinkBatch({ ...designExample, traceparent: 42 })).not.toHaveProperty('traceparent');
  });

  it('decodes the design example and gzip payloads; corrupt gzip is reported per record', async () => {
    const batch = await decodeSinkBatch(designExample);
    expect(batch.records[0]!.json()).toEqual({ sku: 'A1' });
    const zipped = encodeSinkBatch(
      [
        { ...message, offset: 1n, attributes: { compression: 'gzip' }, payload: await gzip(utf8('{"z":1}')) },
        { ...message, offset: 2n, attributes: { compression: 'gzip' }, payload: utf8('not gzip') },
      ],
      meta,
    );
    const decoded = await decodeSinkBatch(zipped);
    expect(decoded.records.map((r) => r.json())).toEqual([{ z: 1 }]);
    expect(decoded.undecodable.map((u) => [u.id, u.error.kind])).toEqual([['/default/orders-part-0@2', 'invalid']]);
  });

  it.each([
    [null, '(event) must be a JSON object'],
    [{ Records: [] }, 'type must be "danube.sink.batch.v1" (missing); this looks like an AWS event source event'],
    [{ ...designExample, binding: '' }, 'binding must be a non-empty string'],
    [{ ...designExample, records: {} }, 'records must be an array'],
    [{ ...designExample, records: [{ ...designExample.records[0], offset: 42 }] }, 'records[0].offset must be a uint64 as a decimal string (got 42)'],
    [{ ...designExample, records: [{ ...designExample.records[0], offset: '18446744073709551616' }] }, 'records[0].offset must be a uint64'],
    [{ ...designExample, records: [{ ...designExample.records[0], payload: 'abc!' }] }, 'records[0].payload must be a base64 string (not valid base64)'],
    [{ ...designExample, records: [{ ...designExample.records[0], payload: 'abc' }] }, 'records[0].payload must be a base64 string (not valid base64)'],
    [{ ...designExample, records: [{ ...designExample.records[0], payload: 'ab c' }] }, 'records[0].payload must be a base64 string (not valid base64)'],
    [{ ...designExample, records: [{ ...designExample.records[0], payload: 'a===' }] }, 'records[0].payload must be a base64 string (not valid base64)'],
    [{ ...designExample, records: [{ ...designExample.records[0], attributes: { a: 1 } }] }, 'records[0].attributes.a must be a string'],
    [{ ...designExample, records: [{ ...designExample.records[0], publishTime: '1763800000000' }] }, 'records[0].publishTime must be milliseconds'],
    [{ ...designExample, records: [designExample.records[0], designExample.records[0]] }, 'records[1].id repeats records[0].id'],
  ])('rejects malformed events naming the field: %#', async (event, message) => {
    await expect(decodeSinkBatch(event)).rejects.toThrow(SinkEventError);
    await expect(decodeSinkBatch(event)).rejects.toThrow(message);
  });

  it('reads answers with AWS semantics; an unknown identifier fails the whole batch', () => {
    const ids = ['a', 'b'];
    for (const ok of [undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
      expect(parseSinkBatchResponse(ok, ids)).toEqual({ ok: true, failures: [] });
    }
    expect(parseSinkBatchResponse({ batchItemFailures: [{ itemIdentifier: 'b', reason: 'invalid', message: 'bad' }, { itemIdentifier: 'b' }] }, ids)).toEqual({
      ok: true,
      failures: [{ itemIdentifier: 'b', reason: 'invalid', message: 'bad' }],
    });
    expect(parseSinkBatchResponse({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, ids)).toMatchObject({
      ok: false,
      error: expect.stringContaining('"zzz" is not a record of this batch'),
    });
    expect(parseSinkBatchResponse({ batchItemFailures: [{ itemIdentifier: '' }] }, ids)).toMatchObject({ ok: false });
    expect(parseSinkBatchResponse({ batchItemFailures: [{ itemIdentifer: 'a' }] }, ids)).toMatchObject({ ok: false });
    expect(parseSinkBatchResponse({ batchItemFailure: [] }, ids)).toMatchObject({ ok: false, error: expect.stringContaining('batchItemFailure') });
    expect(parseSinkBatchResponse('ok', ids)).toMatchObject({ ok: false });
  });
});
