import { describe, expect, it } from 'vitest';
import { decodeText, parseArray } from '../../../../src/connectors/postgres/values.js';
import { compileGetter, parsePath, toParameter } from '../../../../src/connectors/postgres/sink/mapping.js';
import { SinkRecord } from '../../../../src/core/index.js';

describe('value decoding by type OID', () => {
  it('keeps 64-bit integers and numerics exact as strings, small ints as numbers', () => {
    expect(decodeText(20, '9007199254740993')).toBe('9007199254740993');
    expect(decodeText(1700, '12345678901234567890.0001')).toBe('12345678901234567890.0001');
    expect(decodeText(23, '-42')).toBe(-42);
    expect(decodeText(701, '1.5')).toBe(1.5);
    expect(decodeText(701, 'NaN')).toBe('NaN');
  });

  it('decodes booleans, JSON, timestamps and bytea', () => {
    expect(decodeText(16, 't')).toBe(true);
    expect(decodeText(16, 'f')).toBe(false);
    expect(decodeText(3802, '{"a": [1, null]}')).toEqual({ a: [1, null] });
    expect(decodeText(1184, '2026-01-02 03:04:05.5+00')).toBe('2026-01-02T03:04:05.5Z');
    expect(decodeText(1184, '2026-01-02 03:04:05+05:30')).toBe('2026-01-02T03:04:05+05:30');
    expect(decodeText(1184, 'infinity')).toBe('infinity');
    expect(decodeText(1114, '2026-01-02 03:04:05')).toBe('2026-01-02T03:04:05');
    expect(decodeText(17, '\\xdeadbeef')).toBe(Buffer.from('deadbeef', 'hex').toString('base64'));
    expect(decodeText(2950, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
  });

  it('decodes arrays, nested and quoted, with NULLs', () => {
    expect(decodeText(1007, '{1,2,NULL}')).toEqual([1, 2, null]);
    expect(decodeText(1009, '{"a,b","c\\"d",NULL,"NULL"}')).toEqual(['a,b', 'c"d', null, 'NULL']);
    expect(decodeText(1016, '{{1,2},{3,4}}')).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(parseArray('[0:1]={x,y}')).toEqual(['x', 'y']);
    expect(decodeText(1007, '{}')).toEqual([]);
  });
});

describe('sink column mapping', () => {
  const record = new SinkRecord({
    topic: '/default/o-part-1',
    offset: 7n,
    publishTime: 0,
    producerName: 'p',
    attributes: { region: 'eu' },
    routingKey: 'k',
    payload: new TextEncoder().encode('{}'),
  });

  it('parses JSON paths', () => {
    expect(parsePath('$')).toEqual([]);
    expect(parsePath('$.a.b[2]')).toEqual(['a', 'b', 2]);
    expect(parsePath('items[0].sku')).toEqual(['items', 0, 'sku']);
  });

  it('reads payload paths and record metadata', () => {
    const payload = () => ({ a: { b: [1, 2, { c: 'x' }] } });
    expect(compileGetter('$.a.b[2].c')(record, payload)).toBe('x');
    expect(compileGetter('$.a.missing.deeper')(record, payload)).toBeUndefined();
    expect(compileGetter('@id')(record, payload)).toBe('/default/o-part-1@7');
    expect(compileGetter('@topic')(record, payload)).toBe('/default/o');
    expect(compileGetter('@offset')(record, payload)).toBe('7');
    expect(compileGetter('@publishTime')(record, payload)).toBe('1970-01-01T00:00:00.000Z');
    expect(compileGetter('@key')(record, payload)).toBe('k');
    expect(compileGetter('@attributes.region')(record, payload)).toBe('eu');
  });

  it('turns values into parameters by column type', () => {
    expect(toParameter([1, 2], 'jsonb')).toBe('[1,2]');
    expect(toParameter({ a: 1 }, 'text')).toBe('{"a":1}');
    expect(toParameter(0, 'timestamptz')).toBe('1970-01-01T00:00:00.000Z');
    expect(toParameter('AQI=', 'bytea')).toEqual(Buffer.from([1, 2]));
    expect(toParameter(undefined, 'integer')).toBeNull();
    expect(toParameter(12, 'bigint')).toBe('12');
  });
});
