import { describe, expect, it } from 'vitest';
import { fnv1a32, fnv1a64, globMatch, HashRing } from '../../../src/broker/hash-ring.js';

describe('Key-Shared hashing as the real broker computes it', () => {
  it('computes FNV-1a-64 over UTF-8 bytes', () => {
    expect(fnv1a64('')).toBe(0xcbf29ce484222325n);
    expect(fnv1a64('a')).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv1a64('order-123')).toBe(0x1b96f9c28b5d5aban);
  });

  it('folds to 32 bits with the murmur finalizer (values from the Rust algorithm)', () => {
    expect(fnv1a32('')).toBe(3323002737);
    expect(fnv1a32('a')).toBe(1987926311);
    expect(fnv1a32('order-123')).toBe(3430057601);
    expect(fnv1a32('12345-0')).toBe(2793514341);
    expect(fnv1a32('cust-7')).toBe(3266417310);
  });

  it('matches * and ? globs like the broker', () => {
    expect(globMatch('user-123', 'user-*')).toBe(true);
    expect(globMatch('order-123', 'user-*')).toBe(false);
    expect(globMatch('us-a', 'us-?')).toBe(true);
    expect(globMatch('us-ab', 'us-?')).toBe(false);
    expect(globMatch('anything', '*')).toBe(true);
    expect(globMatch('a-b-c', 'a*c')).toBe(true);
  });

  it('routes a key to the same member whatever the order members joined, and skips keys no filter accepts', () => {
    const a = { id: 11n, keyFilters: [] as string[] };
    const b = { id: 22n, keyFilters: [] as string[] };
    const r1 = new HashRing<typeof a>();
    r1.rebuild([a, b]);
    const r2 = new HashRing<typeof a>();
    r2.rebuild([b, a]);
    for (let i = 0; i < 50; i++) expect(r1.select(`k${i}`)).toBe(r2.select(`k${i}`));
    const picked = new Set(Array.from({ length: 50 }, (_, i) => r1.select(`k${i}`)));
    expect(picked.size).toBe(2);
    const f = new HashRing<typeof a>();
    f.rebuild([{ id: 1n, keyFilters: ['eu-*'] }]);
    expect(f.select('us-1')).toBeUndefined();
    expect(f.select('eu-1')?.id).toBe(1n);
  });
});
