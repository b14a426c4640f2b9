import { huffmanDecode } from './huffman.js';

// RFC 7541 Appendix A: the static table (index 1..61).
const STATIC: ReadonlyArray<readonly [string, string]> = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''],
  ['accept-ranges', ''],
  ['accept', ''],
  ['access-control-allow-origin', ''],
  ['age', ''],
  ['allow', ''],
  ['authorization', ''],
  ['cache-control', ''],
  ['content-disposition', ''],
  ['content-encoding', ''],
  ['content-language', ''],
  ['content-length', ''],
  ['content-location', ''],
  ['content-range', ''],
  ['content-type', ''],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['expect', ''],
  ['expires', ''],
  ['from', ''],
  ['host', ''],
  ['if-match', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['if-range', ''],
  ['if-unmodified-since', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['max-forwards', ''],
  ['proxy-authenticate', ''],
  ['proxy-authorization', ''],
  ['range', ''],
  ['referer', ''],
  ['refresh', ''],
  ['retry-after', ''],
  ['server', ''],
  ['set-cookie', ''],
  ['strict-transport-security', ''],
  ['transfer-encoding', ''],
  ['user-agent', ''],
  ['vary', ''],
  ['via', ''],
  ['www-authenticate', ''],
];

/** RFC 7541 §4.1: an entry's size counts 32 octets besides its name and value. */
const ENTRY_OVERHEAD = 32;

/** Receives the fields of one header block, in order. */
export type HeaderSink = (name: string, value: string) => void;

/**
 * The decoding side of HPACK for one connection: the dynamic table the peer's encoder fills
 * (it indexes `content-type`, `grpc-status: 0` and the like once, then sends one byte for each),
 * bounded by the table size we announced.
 */
export class HpackDecoder {
  // Newest entry last; index 62 is the newest.
  private entries: Array<readonly [string, string]> = [];
  private size = 0;
  private maxSize: number;

  constructor(private readonly limit = 4096) {
    this.maxSize = limit;
  }

  /** Decodes one complete header block; throws on malformed input (a connection error). */
  decode(block: Uint8Array, sink: HeaderSink): void {
    const r = this.reader;
    r.buf = block;
    r.pos = 0;
    const end = block.length;
    let fieldsSeen = false;
    while (r.pos < end) {
      const b = block[r.pos]!;
      if (b & 0x80) {
        // Indexed field.
        const entry = this.entry(r.int(7));
        sink(entry[0], entry[1]);
        fieldsSeen = true;
      } else if ((b & 0xe0) === 0x20) {
        // Dynamic table size update: only before the first field of a block.
        if (fieldsSeen) throw new Error('HPACK: table size update after a field');
        const size = r.int(5);
        if (size > this.limit) throw new Error('HPACK: table size update above the announced limit');
        this.maxSize = size;
        this.evict(0);
      } else {
        // Literal: with incremental indexing (01), without indexing (0000) or never indexed (0001).
        const indexing = (b & 0xc0) === 0x40;
        const nameIndex = r.int(indexing ? 6 : 4);
        const name = nameIndex === 0 ? r.string() : this.entry(nameIndex)[0];
        const value = r.string();
        if (indexing) this.add(name, value);
        sink(name, value);
        fieldsSeen = true;
      }
    }
    r.buf = EMPTY;
  }

  private readonly reader = new Reader();

  private entry(index: number): readonly [string, string] {
    if (index >= 1 && index <= STATIC.length) return STATIC[index - 1]!;
    const dynamic = this.entries.length - 1 - (index - STATIC.length - 1);
    const entry = index > STATIC.length ? this.entries[dynamic] : undefined;
    if (!entry) throw new Error(`HPACK: no table entry ${index}`);
    return entry;
  }

  private add(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    // An entry larger than the table empties it and is not added (RFC 7541 §4.4).
    this.evict(size);
    if (size <= this.maxSize) {
      this.entries.push([name, value]);
      this.size += size;
    }
  }

  /** Evicts the oldest entries until `room` more octets fit. */
  private evict(room: number): void {
    let drop = 0;
    while (this.size + room > this.maxSize && drop < this.entries.length) {
      const [n, v] = this.entries[drop++]!;
      this.size -= n.length + v.length + ENTRY_OVERHEAD;
    }
    if (drop > 0) this.entries.splice(0, drop);
  }
}

const EMPTY = new Uint8Array(0);

/** A cursor over one header block (a field, not tuples: decoding allocates only strings). */
class Reader {
  buf: Uint8Array = EMPTY;
  pos = 0;

  int(prefixBits: number): number {
    const buf = this.buf;
    const max = (1 << prefixBits) - 1;
    let value = buf[this.pos++]! & max;
    if (value < max) return value;
    let shift = 0;
    for (;;) {
      if (this.pos >= buf.length) throw new Error('HPACK: truncated integer');
      const b = buf[this.pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) return value;
      if (shift > 28) throw new Error('HPACK: integer too large');
    }
  }

  string(): string {
    const buf = this.buf;
    if (this.pos >= buf.length) throw new Error('HPACK: truncated string');
    const huffman = (buf[this.pos]! & 0x80) !== 0;
    const length = this.int(7);
    const start = this.pos;
    const end = start + length;
    if (end > buf.length) throw new Error('HPACK: truncated string');
    this.pos = end;
    return huffman ? huffmanDecode(buf, start, end) : Buffer.from(buf.buffer, buf.byteOffset + start, length).toString('latin1');
  }
}

const STATIC_NAMES = new Map<string, number>();
STATIC.forEach(([name], i) => {
  if (!STATIC_NAMES.has(name)) STATIC_NAMES.set(name, i + 1);
});
const STATIC_FIELDS = new Map<string, number>();
STATIC.forEach(([name, value], i) => {
  if (value) STATIC_FIELDS.set(`${name}\0${value}`, i + 1);
});

/**
 * Encodes header fields for a block that is built once and sent with many requests: fields the
 * static table holds whole are one byte, the others are literals without indexing (so the block
 * never depends on, nor changes, the peer's dynamic table and stays valid for the connection's
 * life). Names must be lower case, as HTTP/2 requires.
 */
export function encodeHeaderBlock(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  const out: number[] = [];
  for (const [name, value] of fields) {
    const whole = STATIC_FIELDS.get(`${name}\0${value}`);
    if (whole !== undefined) {
      writeInt(out, whole, 7, 0x80);
      continue;
    }
    const nameIndex = STATIC_NAMES.get(name);
    if (nameIndex !== undefined) writeInt(out, nameIndex, 4, 0x00);
    else {
      out.push(0x00);
      writeString(out, name);
    }
    writeString(out, value);
  }
  return Buffer.from(out);
}

function writeInt(out: number[], value: number, prefixBits: number, flags: number): void {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out.push(flags | value);
    return;
  }
  out.push(flags | max);
  value -= max;
  while (value >= 128) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

function writeString(out: number[], value: string): void {
  const bytes = Buffer.from(value, 'latin1');
  writeInt(out, bytes.length, 7, 0x00);
  for (const b of bytes) out.push(b);
}
