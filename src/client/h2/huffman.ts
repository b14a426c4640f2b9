// HPACK's static Huffman code (RFC 7541, Appendix B). The code is canonical: within one code
// length, codes rise with the symbol, and each length starts right after the previous one. So
// the bit length of every symbol is all it takes to rebuild it; these are those lengths, for
// symbols 0..255 (EOS, symbol 256, is 30 bits of ones and never decoded as a symbol).
const LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11,
  10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7,
  8, 13, 19, 13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, 20, 22, 20, 20, 22, 22, 22, 23,
  22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23,
  23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26,
  27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27,
  27, 27, 26,
];
const EOS_LENGTH = 30;
const MAX_LENGTH = 30;

/** Canonical decoding tables: per length, the first code, how many codes, and where they start. */
interface Canonical {
  firstCode: Int32Array;
  count: Int32Array;
  offset: Int32Array;
  symbols: Uint16Array;
}

function buildCanonical(): Canonical {
  const lengths = [...LENGTHS, EOS_LENGTH];
  const count = new Int32Array(MAX_LENGTH + 1);
  for (const l of lengths) count[l]!++;
  const firstCode = new Int32Array(MAX_LENGTH + 1);
  const offset = new Int32Array(MAX_LENGTH + 1);
  let code = 0;
  let index = 0;
  for (let l = 1; l <= MAX_LENGTH; l++) {
    firstCode[l] = code;
    offset[l] = index;
    code = (code + count[l]!) << 1;
    index += count[l]!;
  }
  // Symbols ordered by (length, symbol): the order canonical codes are handed out in.
  const symbols = new Uint16Array(lengths.length);
  const next = offset.slice();
  for (let l = 1; l <= MAX_LENGTH; l++) {
    for (let s = 0; s < lengths.length; s++) if (lengths[s] === l) symbols[next[l]!++] = s;
  }
  return { firstCode, count, offset, symbols };
}

const table = buildCanonical();

/** The code of `symbol` (for tests and for checking the table against the RFC's examples). */
export function huffmanCode(symbol: number): { code: number; length: number } {
  const length = symbol === 256 ? EOS_LENGTH : LENGTHS[symbol]!;
  const start = table.offset[length]!;
  for (let i = 0; i < table.count[length]!; i++) {
    if (table.symbols[start + i] === symbol) return { code: table.firstCode[length]! + i, length };
  }
  throw new Error(`no code for ${symbol}`);
}

/**
 * Decodes a Huffman-coded HPACK string. Throws on a code for EOS, on padding longer than 7 bits
 * or padding that is not the EOS prefix (all ones): RFC 7541 §5.2 makes those decoding errors.
 */
export function huffmanDecode(input: Uint8Array, start: number, end: number): string {
  const { firstCode, count, offset, symbols } = table;
  let out = '';
  let code = 0;
  let length = 0;
  for (let i = start; i < end; i++) {
    const byte = input[i]!;
    for (let bit = 7; bit >= 0; bit--) {
      code = (code << 1) | ((byte >> bit) & 1);
      length++;
      const k = code - firstCode[length]!;
      if (k >= 0 && k < count[length]!) {
        const symbol = symbols[offset[length]! + k]!;
        if (symbol === 256) throw new Error('HPACK: EOS in a Huffman string');
        out += String.fromCharCode(symbol);
        code = 0;
        length = 0;
      } else if (length >= MAX_LENGTH) {
        throw new Error('HPACK: invalid Huffman code');
      }
    }
  }
  if (length > 7 || code !== (1 << length) - 1) throw new Error('HPACK: invalid Huffman padding');
  return out;
}
