import { describe, expect, it } from 'vitest';
import { HpackDecoder, encodeHeaderBlock } from '../../../../src/client/h2/hpack.js';
import { huffmanCode, huffmanDecode } from '../../../../src/client/h2/huffman.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decodeAll(decoder: HpackDecoder, block: Buffer): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  decoder.decode(block, (n, v) => fields.push([n, v]));
  return fields;
}

describe('HPACK Huffman code', () => {
  it('matches the codes of RFC 7541 Appendix B', () => {
    expect(huffmanCode(0)).toEqual({ code: 0x1ff8, length: 13 });
    expect(huffmanCode(48)).toEqual({ code: 0x0, length: 5 }); // '0'
    expect(huffmanCode(32)).toEqual({ code: 0x14, length: 6 }); // ' '
    expect(huffmanCode(255)).toEqual({ code: 0x3ffffee, length: 26 });
    expect(huffmanCode(256)).toEqual({ code: 0x3fffffff, length: 30 });
  });

  it('decodes the RFC 7541 examples', () => {
    const www = hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff');
    expect(huffmanDecode(www, 0, www.length)).toBe('www.example.com');
    const noCache = hex('a8eb 1064 9cbf');
    expect(huffmanDecode(noCache, 0, noCache.length)).toBe('no-cache');
  });

  it('rejects padding that is not a prefix of EOS', () => {
    const bad = hex('f1e3 c2e5 f23a 6ba0 ab90 f4fe');
    expect(() => huffmanDecode(bad, 0, bad.length)).toThrow(/padding/);
  });
});

describe('HPACK decoder', () => {
  it('decodes the request sequence of RFC 7541 C.4, following the dynamic table', () => {
    const d = new HpackDecoder();
    expect(decodeAll(d, hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ]);
    expect(decodeAll(d, hex('8286 84be 5886 a8eb 1064 9cbf'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
      ['cache-control', 'no-cache'],
    ]);
    expect(decodeAll(d, hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'https'],
      [':path', '/index.html'],
      [':authority', 'www.example.com'],
      ['custom-key', 'custom-value'],
    ]);
  });

  it('evicts the oldest entries when the table is full, and honours size updates', () => {
    const d = new HpackDecoder(64);
    // literal with indexing, new name "a" value "1" (size 34), twice: the second evicts the first.
    const add = (name: string, value: string) => Buffer.from([0x40, name.length, ...Buffer.from(name), value.length, ...Buffer.from(value)]);
    decodeAll(d, add('a', '1'));
    expect(decodeAll(d, Buffer.from([0xbe]))).toEqual([['a', '1']]);
    decodeAll(d, add('b', '2'));
    expect(decodeAll(d, Buffer.from([0xbe]))).toEqual([['b', '2']]);
    expect(() => decodeAll(d, Buffer.from([0xbf]))).toThrow(/no table entry/);
    // A size update to 0 empties the table.
    expect(() => decodeAll(d, Buffer.from([0x20, 0xbe]))).toThrow(/no table entry/);
    expect(() => decodeAll(d, Buffer.from([0x3f, 0x41]))).toThrow(/above the announced limit/);
  });

  it('reads back what the encoder writes (static fields, static names, new names, long values)', () => {
    const fields: Array<[string, string]> = [
      [':method', 'POST'],
      [':scheme', 'http'],
      [':path', '/danube.ProducerService/SendMessage'],
      [':authority', '127.0.0.1:6650'],
      ['content-type', 'application/grpc'],
      ['te', 'trailers'],
      ['authorization', `Bearer ${'x'.repeat(300)}`],
      ['x-danube-broker-url', 'http://broker-1:6650'],
    ];
    const block = encodeHeaderBlock(fields);
    expect(block[0]).toBe(0x83);
    expect(decodeAll(new HpackDecoder(), block)).toEqual(fields);
  });
});
