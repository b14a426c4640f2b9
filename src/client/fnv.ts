const OFFSET_BASIS = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const encoder = new TextEncoder();

/**
 * FNV-1a, 64 bit, over the UTF-8 bytes of `key`: the hash the Rust and Go Danube clients use to
 * route keyed messages, so a key lands on the same partition whichever language produced it.
 *
 * @example
 * fnv1a64('') === 0xcbf29ce484222325n; // offset basis
 * fnv1a64('a') === 0xaf63dc4c8601ec8cn;
 */
export function fnv1a64(key: string | Uint8Array): bigint {
  const bytes = typeof key === 'string' ? encoder.encode(key) : key;
  // Two 32-bit halves in numbers: far cheaper than a bigint multiply per byte.
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ bytes[i]!) >>> 0;
    // (hi:lo) * 0x100000001b3 = (hi:lo) * 0x1b3 + (lo << 40), modulo 2^64; every
    // intermediate stays below 2^53, so doubles hold it exactly.
    const loMul = lo * 0x1b3;
    const carry = Math.floor(loMul / 0x100000000);
    const newLo = loMul >>> 0;
    const newHi = (Math.imul(hi, 0x1b3) + carry + (lo << 8)) >>> 0;
    hi = newHi;
    lo = newLo;
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Reference implementation with bigints (used by tests to cross-check the fast path). */
export function fnv1a64Reference(key: string): bigint {
  let hash = OFFSET_BASIS;
  for (const byte of encoder.encode(key)) {
    hash ^= BigInt(byte);
    hash = (hash * PRIME) & MASK;
  }
  return hash;
}

/** The partition a key routes to, as in the Rust/Go clients: `fnv1a64(key) % partitions`. */
export function partitionForKey(key: string, partitions: number): number {
  return Number(fnv1a64(key) % BigInt(partitions));
}
