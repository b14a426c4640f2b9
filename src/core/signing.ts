import { fromHex, toHex, utf8 } from './bytes.js';

/**
 * How the relay signs HTTP invocations: `danube` (`x-danube-signature: t=<unix>,v1=<hex>`, the
 * secret used as it is) or `standard-webhooks` (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64>`, a `whsec_` secret), which receivers verify with a Standard
 * Webhooks library in any language.
 */
export type SignatureScheme = 'danube' | 'standard-webhooks';

export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = ['danube', 'standard-webhooks'];

/** The header that carries the relay's signature of an HTTP sink request. */
export const SIGNATURE_HEADER = 'x-danube-signature';

/** How far a signature's timestamp may be from now, in seconds, before it counts as stale. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

// Importing a key costs a little; relays and workers sign and verify with the same few secrets.
const keyCache = new Map<string, Promise<CryptoKey>>();

/**
 * HMAC-SHA256 of `data` with Web Crypto. The imported key is cached under `cacheId` (one per
 * secret and scheme); `key` gives its bytes the first time.
 */
export async function hmacSha256(cacheId: string, key: () => Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  let imported = keyCache.get(cacheId);
  if (!imported) {
    if (keyCache.size > 32) keyCache.clear();
    imported = crypto.subtle.importKey('raw', key() as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keyCache.set(cacheId, imported);
  }
  return new Uint8Array(await crypto.subtle.sign('HMAC', await imported, data as Uint8Array<ArrayBuffer>));
}

function signedBytes(timestamp: number, body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = utf8(`${timestamp}.`);
  const bodyBytes = typeof body === 'string' ? utf8(body) : body;
  const out = new Uint8Array(prefix.length + bodyBytes.length);
  out.set(prefix, 0);
  out.set(bodyBytes, prefix.length);
  return out;
}

function hmac(secret: string, timestamp: number, body: string | Uint8Array): Promise<Uint8Array> {
  return hmacSha256(`danube:${secret}`, () => utf8(secret), signedBytes(timestamp, body));
}

/**
 * Signs a request body: HMAC-SHA256 over `${t}.${body}`, returned as the header value
 * `t=<unix seconds>,v1=<hex>` (Web Crypto, so it runs in Node and in Workers).
 *
 * @example
 * const body = JSON.stringify(event);
 * await fetch(url, { method: 'POST', body, headers: { [SIGNATURE_HEADER]: await signBody(secret, body) } });
 */
export async function signBody(secret: string, body: string | Uint8Array, nowSec: number = Math.floor(Date.now() / 1000)): Promise<string> {
  return `t=${nowSec},v1=${toHex(await hmac(secret, nowSec, body))}`;
}

/**
 * The headers to send with a signed request (`content-type` and the signature).
 *
 * @example
 * const headers = await signRequest(secret, body);
 */
export async function signRequest(secret: string, body: string | Uint8Array, nowSec?: number): Promise<Record<string, string>> {
  return { 'content-type': 'application/json', [SIGNATURE_HEADER]: await signBody(secret, body, nowSec) };
}

export interface VerifySignatureOptions {
  toleranceSeconds?: number;
  nowSec?: number;
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/**
 * Checks a signature header against the body with one secret or several (rotation: any match
 * passes). Stale or future timestamps beyond the tolerance fail, so a captured request cannot be
 * replayed later. Comparison is constant-time.
 *
 * @example
 * const check = await verifySignature(env.SECRET, body, request.headers.get(SIGNATURE_HEADER));
 * if (!check.ok) return new Response(check.reason, { status: 401 });
 */
export async function verifySignature(
  secret: string | readonly string[],
  body: string | Uint8Array,
  header: string | null | undefined,
  options: VerifySignatureOptions = {},
): Promise<SignatureCheck> {
  if (!header) return { ok: false, reason: 'missing' };
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const now = options.nowSec ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(now - parsed.timestamp) > tolerance) return { ok: false, reason: 'stale' };
  for (const s of typeof secret === 'string' ? [secret] : secret) {
    const expected = await hmac(s, parsed.timestamp, body);
    for (const candidate of parsed.signatures) {
      if (timingSafeEqual(expected, candidate)) return { ok: true, timestamp: parsed.timestamp };
    }
  }
  return { ok: false, reason: 'mismatch' };
}

/** `t=…,v1=…[,v1=…]` → timestamp and signatures, or undefined when malformed. */
export function parseSignatureHeader(header: string): { timestamp: number; signatures: Uint8Array[] } | undefined {
  let timestamp: number | undefined;
  const signatures: Uint8Array[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return undefined;
      timestamp = Number(value);
    } else if (key === 'v1') {
      const bytes = fromHex(value);
      if (!bytes || bytes.length !== 32) return undefined;
      signatures.push(bytes);
    }
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/** Compares two byte arrays in time that depends only on their length. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
