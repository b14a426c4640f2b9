import { describe, expect, it } from 'vitest';
import { partitionForKey } from '../../../src/client/index.js';
import { fnv1a64 } from '../../../src/client/fnv.js';
import { fnv1a64Reference } from '../../../src/client/fnv.js';

// Published FNV-1a 64-bit test vectors (Landon Curt Noll's FNV reference test suite).
const VECTORS: [string, bigint][] = [
  ['', 0xcbf29ce484222325n],
  ['a', 0xaf63dc4c8601ec8cn],
  ['b', 0xaf63df4c8601f1a5n],
  ['c', 0xaf63de4c8601eff2n],
  ['fo', 0x08985907b541d342n],
  ['foo', 0xdcb27518fed9d577n],
  ['foob', 0xdd120e790c2512afn],
  ['fooba', 0xcac165afa2fef40an],
  ['foobar', 0x85944171f73967e8n],
];

describe('fnv1a64', () => {
  it.each(VECTORS)('hashes %j to the published value', (key, expected) => {
    expect(fnv1a64(key)).toBe(expected);
  });

  it('hashes UTF-8 bytes, so non-ASCII keys match other languages', () => {
    expect(fnv1a64('ключ-ü')).toBe(fnv1a64(new TextEncoder().encode('ключ-ü')));
    expect(fnv1a64('ключ-ü')).toBe(fnv1a64Reference('ключ-ü'));
  });

  it('agrees with a plain bigint implementation on many keys', () => {
    for (let i = 0; i < 2000; i++) {
      const key = `key-${i}-${String.fromCharCode(32 + (i % 3000))}`;
      expect(fnv1a64(key)).toBe(fnv1a64Reference(key));
    }
  });

  it('routes a key to fnv1a64(key) % partitions, as the Rust and Go clients do', () => {
    expect(partitionForKey('foobar', 4)).toBe(Number(0x85944171f73967e8n % 4n));
    expect(partitionForKey('a', 3)).toBe(Number(0xaf63dc4c8601ec8cn % 3n));
    expect(partitionForKey('anything', 1)).toBe(0);
  });
});
