import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, fromUtf8, gunzip, gzip, isBase64, stringifyJson, toBase64, toHex, utf8 } from '../../../src/core/index.js';

describe('byte helpers', () => {
  it('base64 round-trips every byte value and refuses what is not base64', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    for (const n of [0, 1, 2, 3, 255, 256]) expect([...fromBase64(toBase64(all.subarray(0, n)))]).toEqual([...all.subarray(0, n)]);
    expect(toBase64(utf8('hi?'))).toBe(Buffer.from('hi?').toString('base64'));
    for (const bad of ['abc', 'ab c', 'a===', 'ab!=', '====', 'ab=c']) {
      expect(() => fromBase64(bad), bad).toThrow(TypeError);
      expect(isBase64(bad), bad).toBe(false);
    }
    expect(isBase64('aGk/')).toBe(true);
  });

  it('hex, utf-8, gzip and bigint-safe JSON', async () => {
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe('000fff');
    expect([...fromHex('000fff')!]).toEqual([0, 15, 255]);
    expect(fromHex('0g')).toBeUndefined();
    expect(fromUtf8(utf8('Grüße'))).toBe('Grüße');
    const text = 'x'.repeat(10_000);
    const zipped = await gzip(utf8(text));
    expect(zipped.length).toBeLessThan(200);
    expect(fromUtf8(await gunzip(zipped))).toBe(text);
    expect(stringifyJson({ a: 2n ** 64n - 1n })).toBe('{"a":"18446744073709551615"}');
  });
});
