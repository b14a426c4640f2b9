// Protobuf wire primitives for the hot-path encoders (send-body.ts, settle-body.ts): they write
// straight into the transport's output buffer, where the generated encoders would build a
// BinaryWriter, chunks and a copy per message.

const TWO_32 = 0x1_0000_0000;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Bytes of `value` (a non-negative safe integer) as a varint. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x20_0000) return 3;
  if (value < 0x1000_0000) return 4;
  let size = 4;
  value = Math.floor(value / 0x1000_0000);
  while (value > 0) {
    size++;
    value = Math.floor(value / 0x80);
  }
  return size;
}

/** Writes `value` (a non-negative safe integer) as a varint; returns the offset after it. */
export function writeVarint(buf: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    buf[at++] = (value & 0x7f) | 0x80;
    value = value >= TWO_32 ? Math.floor(value / 0x80) : value >>> 7;
  }
  buf[at++] = value;
  return at;
}

/** uint64 as a varint; numbers below 2^53 take the fast path. */
export function varintSizeBig(value: bigint): number {
  if (value <= MAX_SAFE) return varintSize(Number(value));
  let size = 0;
  while (value > 0n) {
    size++;
    value >>= 7n;
  }
  return size;
}

export function writeVarintBig(buf: Uint8Array, at: number, value: bigint): number {
  if (value <= MAX_SAFE) return writeVarint(buf, at, Number(value));
  while (value >= 0x80n) {
    buf[at++] = Number(value & 0x7fn) | 0x80;
    value >>= 7n;
  }
  buf[at++] = Number(value);
  return at;
}

/** A length-delimited field (tag, length, bytes) encoded once, for values that repeat. */
export function encodeField(fieldNumber: number, bytes: Uint8Array): Buffer {
  const tag = (fieldNumber << 3) | 2;
  const out = Buffer.allocUnsafe(varintSize(tag) + varintSize(bytes.length) + bytes.length);
  let at = writeVarint(out, 0, tag);
  at = writeVarint(out, at, bytes.length);
  out.set(bytes, at);
  return out;
}

/** Size of a length-delimited field of `length` bytes (one-byte tag: fields 1..15). */
export function delimitedSize(length: number): number {
  return 1 + varintSize(length) + length;
}

/** Writes a UTF-8 string field (one-byte tag) whose byte length is known; returns the offset after it. */
export function writeString(buf: Buffer, at: number, tag: number, value: string, byteLength: number): number {
  buf[at++] = tag;
  at = writeVarint(buf, at, byteLength);
  return at + buf.write(value, at, byteLength, 'utf8');
}
