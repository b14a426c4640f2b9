// Byte helpers that run in Node and in Workers alike: no Buffer import, no node:zlib.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

// Node's Buffer is much faster for base64; use it when the host has one, without importing it.
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** A string from UTF-8 bytes (invalid sequences become U+FFFD). */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Standard base64 (with padding) of some bytes. */
export function toBase64(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

// A plain character class runs far faster in V8 than grouped quantifiers on long payloads; with
// the length check it accepts exactly the padded standard alphabet.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** True for a well-formed standard base64 string (padding required). */
export function isBase64(text: string): boolean {
  return text.length % 4 === 0 && BASE64.test(text);
}

/** Bytes of a standard base64 string; throws a `TypeError` on anything else. */
export function fromBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new TypeError('not valid base64');
  if (NodeBuffer) {
    // Buffer skips characters outside the alphabet instead of failing, so a shorter result than
    // the length implies means the text was not base64; cheaper than a regex over the payload.
    const b = NodeBuffer.from(text, 'base64');
    const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
    if (b.length !== (text.length / 4) * 3 - padding || (padding > 0 && !isBase64(text.slice(-4)))) throw new TypeError('not valid base64');
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  if (!isBase64(text)) throw new TypeError('not valid base64');
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Lower-case hex of some bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Bytes of a hex string, or undefined when it is not hex of even length. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Gzip-decompress with the Web `DecompressionStream` (Node 18+, Workers, browsers). */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return pipeThrough(bytes, new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
}

/** Gzip-compress with the Web `CompressionStream`. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return pipeThrough(bytes, new CompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
}

async function pipeThrough(bytes: Uint8Array, transform: ReadableWritablePair<Uint8Array, Uint8Array>): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** JSON.stringify that writes bigint as a decimal string instead of throwing. */
export function stringifyJson(value: unknown, space?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), space);
}
