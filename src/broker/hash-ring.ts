// Key-Shared routing exactly as the real broker computes it
// (dispatcher/key_shared/consumer_state.rs): 100 virtual nodes per consumer on a
// ring of 32-bit hashes, so a key lands on the same consumer in both brokers.

const VNODES_PER_CONSUMER = 100;
const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;
const encoder = new TextEncoder();

/** FNV-1a-64 over the UTF-8 bytes (also the producer's key → partition hash). */
export function fnv1a64(key: string): bigint {
  let hash = FNV64_OFFSET;
  for (const byte of encoder.encode(key)) {
    hash ^= BigInt(byte);
    hash = (hash * FNV64_PRIME) & MASK64;
  }
  return hash;
}

/** The broker's "fnv1a_hash_32": FNV-1a-64 folded to 32 bits, then a murmur3 finalizer. */
export function fnv1a32(key: string): number {
  const h64 = fnv1a64(key);
  let h = Number(((h64 >> 32n) ^ h64) & 0xffffffffn) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h;
}

/** `*` and `?` globs, the only wildcards Key-Shared filters know. */
export function globMatch(text: string, pattern: string): boolean {
  if (pattern === '*') return true;
  let ti = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (ti < text.length) {
    if (pi < pattern.length && (pattern[pi] === '?' || pattern[pi] === text[ti])) {
      ti++;
      pi++;
    } else if (pi < pattern.length && pattern[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < pattern.length && pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

export interface RingMember {
  readonly id: bigint;
  readonly keyFilters: readonly string[];
}

/** A consistent-hash ring over members; rebuilt whenever membership changes. */
export class HashRing<M extends RingMember> {
  private ring: Array<[hash: number, member: M]> = [];
  private members: M[] = [];

  rebuild(members: readonly M[]): void {
    this.members = [...members];
    this.ring = [];
    for (const m of this.members) {
      for (let v = 0; v < VNODES_PER_CONSUMER; v++) this.ring.push([fnv1a32(`${m.id}-${v}`), m]);
    }
    this.ring.sort((a, b) => a[0] - b[0]);
  }

  /** The member for a key, or undefined when no member's filters accept it. */
  select(key: string): M | undefined {
    if (this.members.length === 0) return undefined;
    const eligible = this.members.filter((m) => m.keyFilters.length === 0 || m.keyFilters.some((p) => globMatch(key, p)));
    if (eligible.length === 0) return undefined;
    if (eligible.length === 1) return eligible[0];
    const ring = eligible.length === this.members.length ? this.ring : this.ring.filter(([, m]) => eligible.includes(m));
    return lookup(ring, fnv1a32(key));
  }
}

function lookup<M>(ring: Array<[number, M]>, hash: number): M {
  let lo = 0;
  let hi = ring.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ring[mid]![0] < hash) lo = mid + 1;
    else hi = mid;
  }
  return ring[lo < ring.length ? lo : 0]![1];
}
