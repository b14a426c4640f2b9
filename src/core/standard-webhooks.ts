// The Standard Webhooks signature convention (https://www.standardwebhooks.com, symmetric
// scheme): three headers, an HMAC-SHA256 over `<id>.<timestamp>.<body>` in base64, secrets
// written `whsec_<base64>`. Web Crypto only, so it runs in Node and in Workers alike.
import { fromBase64, toBase64, utf8 } from './bytes.js';
import { DEFAULT_SIGNATURE_TOLERANCE_SECONDS, hmacSha256, timingSafeEqual, type SignatureCheck, type VerifySignatureOptions } from './signing.js';

export const STANDARD_WEBHOOK_ID_HEADER = 'webhook-id';
export const STANDARD_WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const STANDARD_WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';
export const STANDARD_WEBHOOK_SECRET_PREFIX = 'whsec_';

// The convention asks for at least 24 random bytes and at most 64 (512 bits).
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/**
 * What is wrong with a Standard Webhooks secret, or undefined when it is a `whsec_` key of 24 to
 * 64 bytes in standard base64. The answer never contains the secret.
 *
 * @example
 * standardWebhookSecretProblem('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'); // undefined
 */
export function standardWebhookSecretProblem(secret: unknown): string | undefined {
  if (typeof secret !== 'string' || !secret.startsWith(STANDARD_WEBHOOK_SECRET_PREFIX)) return 'must be written whsec_<base64 key>';
  let key: Uint8Array;
  try {
    key = fromBase64(secret.slice(STANDARD_WEBHOOK_SECRET_PREFIX.length));
  } catch {
    return 'the part after whsec_ must be standard base64 (with its padding)';
  }
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES)
    return `the key after whsec_ must be ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes, got ${key.length}`;
  return undefined;
}

/** The key bytes of a `whsec_` secret; throws a `TypeError` naming the problem. */
export function standardWebhookKey(secret: string): Uint8Array {
  const problem = standardWebhookSecretProblem(secret);
  if (problem) throw new TypeError(`Standard Webhooks secret ${problem}`);
  return fromBase64(secret.slice(STANDARD_WEBHOOK_SECRET_PREFIX.length));
}

function signedContent(id: string, timestamp: number, body: string | Uint8Array): Uint8Array {
  const prefix = utf8(`${id}.${timestamp}.`);
  const bodyBytes = typeof body === 'string' ? utf8(body) : body;
  const out = new Uint8Array(prefix.length + bodyBytes.length);
  out.set(prefix, 0);
  out.set(bodyBytes, prefix.length);
  return out;
}

function mac(secret: string, id: string, timestamp: number, body: string | Uint8Array): Promise<Uint8Array> {
  return hmacSha256(`whsec:${secret}`, () => standardWebhookKey(secret), signedContent(id, timestamp, body));
}

/**
 * The three headers of a request signed the Standard Webhooks way: `webhook-id`,
 * `webhook-timestamp` (unix seconds) and `webhook-signature` (`v1,<base64>`; one per secret when
 * several are given, so a receiver keeps verifying while the secret rotates).
 *
 * @example
 * const headers = await signStandardWebhook('whsec_...', 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', body);
 * await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
 */
export async function signStandardWebhook(
  secret: string | readonly string[],
  id: string,
  body: string | Uint8Array,
  nowSec: number = Math.floor(Date.now() / 1000),
): Promise<Record<string, string>> {
  if (!ID.test(id)) throw new TypeError('a Standard Webhooks id is 1 to 256 characters without "." or whitespace');
  const signatures: string[] = [];
  for (const s of typeof secret === 'string' ? [secret] : secret) signatures.push(`v1,${toBase64(await mac(s, id, nowSec, body))}`);
  return {
    [STANDARD_WEBHOOK_ID_HEADER]: id,
    [STANDARD_WEBHOOK_TIMESTAMP_HEADER]: String(nowSec),
    [STANDARD_WEBHOOK_SIGNATURE_HEADER]: signatures.join(' '),
  };
}

// The id is part of the signed content before a ".", so an id holding one could make two
// different (id, timestamp, body) triples sign alike: the convention forbids it, and so do we.
const ID = /^[^\s.]{1,256}$/;

/** Request headers as the Web `Headers` class and most servers expose them. */
export interface HeaderSource {
  get(name: string): string | null;
}

/**
 * Checks a request signed the Standard Webhooks way, with one secret or several (any match
 * passes). A timestamp further than the tolerance (default 300 s) from now is refused, so a
 * captured request cannot be replayed later; signatures of other schemes in the header (`v1a`)
 * are skipped. Comparison is constant-time.
 *
 * @example
 * const check = await verifyStandardWebhook(env.WEBHOOK_SECRET, body, request.headers);
 * if (!check.ok) return new Response(check.reason, { status: 401 });
 */
export async function verifyStandardWebhook(
  secret: string | readonly string[],
  body: string | Uint8Array,
  headers: HeaderSource,
  options: VerifySignatureOptions = {},
): Promise<SignatureCheck> {
  const id = headers.get(STANDARD_WEBHOOK_ID_HEADER);
  const ts = headers.get(STANDARD_WEBHOOK_TIMESTAMP_HEADER);
  const header = headers.get(STANDARD_WEBHOOK_SIGNATURE_HEADER);
  if (!id || !ts || !header) return { ok: false, reason: 'missing' };
  if (!ID.test(id) || !/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'malformed' };
  const signatures = parseStandardSignatures(header);
  if (signatures.length === 0) return { ok: false, reason: 'malformed' };
  const timestamp = Number(ts);
  const now = options.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS)) return { ok: false, reason: 'stale' };
  for (const s of typeof secret === 'string' ? [secret] : secret) {
    const expected = await mac(s, id, timestamp, body);
    for (const candidate of signatures) if (timingSafeEqual(expected, candidate)) return { ok: true, timestamp };
  }
  return { ok: false, reason: 'mismatch' };
}

/** The `v1` signatures of a `webhook-signature` header (space-separated `v1,<base64>` entries). */
function parseStandardSignatures(header: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const entry of header.split(' ')) {
    if (!entry.startsWith('v1,')) continue;
    try {
      const bytes = fromBase64(entry.slice(3));
      if (bytes.length === 32) out.push(bytes);
    } catch {
      /* not base64: cannot match */
    }
  }
  return out;
}
