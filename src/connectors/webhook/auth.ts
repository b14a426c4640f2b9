// Request authentication of the webhook source, with Web Crypto only so it runs on Lambda and
// in Workers alike. Every comparison of secrets is constant-time.
import { fromHex, utf8 } from '../../core/bytes.js';
import { verifyStandardWebhook } from '../../core/standard-webhooks.js';
import type { WebhookAuthConfig } from './options.js';

/** Why a request was refused: the reason is returned to the caller, so it never echoes secrets. */
export type AuthResult = { ok: true; subject?: string } | { ok: false; reason: string };

const subtle = globalThis.crypto.subtle;
const HASH = { sha1: 'SHA-1', sha256: 'SHA-256', sha512: 'SHA-512' } as const;

/** Equal-length constant-time comparison of two byte strings. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

async function hmac(algorithm: keyof typeof HASH, secret: string, data: Uint8Array): Promise<Uint8Array> {
  const key = await subtle.importKey('raw', utf8(secret) as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: HASH[algorithm] }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', key, data as Uint8Array<ArrayBuffer>));
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  try {
    const bin = atob(b64);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function decodeSignature(text: string, encoding: 'hex' | 'base64'): Uint8Array | undefined {
  if (encoding === 'hex') return fromHex(text);
  return fromBase64Url(text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Checks a request against the configured scheme: `none`; `api-key` (one of the keys in a
 * header, or `Authorization: Bearer`); `hmac` over the raw body (`plain`: `<prefix><hex>` as
 * GitHub sends it; `timestamped`: `t=<unix>,v1=<hex>` over `<t>.<body>`, rejected when older
 * than the tolerance); `standard-webhooks` (`webhook-id`, `webhook-timestamp`, `webhook-signature`
 * with a `whsec_` secret); `jwt` HS256 bearer tokens with `exp`/`nbf` and optional `iss`/`aud`.
 *
 * @example
 * const result = await authenticate(config.auth, request.headers, body, Date.now());
 * if (!result.ok) return reply(401, result.reason);
 */
export async function authenticate(auth: WebhookAuthConfig, headers: Headers, body: Uint8Array, nowMs: number): Promise<AuthResult> {
  switch (auth.type) {
    case 'none':
      return { ok: true };
    case 'api-key': {
      let given = headers.get(auth.header);
      if (given === null) given = bearer(headers) ?? null;
      if (given === null) return { ok: false, reason: `missing API key (header ${auth.header})` };
      const ok = auth.keys.reduce((found, k) => timingSafeEqual(utf8(k), utf8(given)) || found, false);
      return ok ? { ok: true } : { ok: false, reason: 'invalid API key' };
    }
    case 'hmac':
      return verifyHmac(auth, headers, body, nowMs);
    case 'standard-webhooks': {
      const check = await verifyStandardWebhook(auth.secret, body, headers, { toleranceSeconds: auth.toleranceSec, nowSec: Math.floor(nowMs / 1000) });
      return check.ok ? { ok: true } : { ok: false, reason: STANDARD_REASONS[check.reason] };
    }
    case 'jwt':
      return verifyJwt(auth, bearer(headers), nowMs);
  }
}

const STANDARD_REASONS = {
  missing: 'missing webhook-id, webhook-timestamp or webhook-signature header',
  malformed: 'malformed Standard Webhooks headers',
  stale: 'signature timestamp outside tolerance',
  mismatch: 'invalid signature',
} as const;

function bearer(headers: Headers): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(headers.get('authorization') ?? '');
  return m?.[1]?.trim();
}

async function verifyHmac(auth: Extract<WebhookAuthConfig, { type: 'hmac' }>, headers: Headers, body: Uint8Array, nowMs: number): Promise<AuthResult> {
  const header = headers.get(auth.header);
  if (!header) return { ok: false, reason: `missing signature header ${auth.header}` };
  if (auth.format === 'plain') {
    if (!header.startsWith(auth.prefix)) return { ok: false, reason: 'invalid signature' };
    const given = decodeSignature(header.slice(auth.prefix.length).trim(), auth.encoding);
    const expected = await hmac(auth.algorithm, auth.secret, body);
    return given && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'invalid signature' };
  }
  const fields = new Map<string, string[]>();
  for (const part of header.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) fields.set(part.slice(0, i).trim(), [...(fields.get(part.slice(0, i).trim()) ?? []), part.slice(i + 1).trim()]);
  }
  const t = fields.get('t')?.[0];
  if (!t || !/^\d+$/.test(t)) return { ok: false, reason: 'invalid signature (no timestamp)' };
  if (Math.abs(nowMs / 1000 - Number(t)) > auth.toleranceSec) return { ok: false, reason: 'signature timestamp outside tolerance' };
  const expected = await hmac(auth.algorithm, auth.secret, concat(utf8(`${t}.`), body));
  // Several v1 values are allowed so a sender can sign with an old and a new secret during rotation.
  const ok = (fields.get('v1') ?? []).some((v) => {
    const given = decodeSignature(v, auth.encoding);
    return given !== undefined && timingSafeEqual(given, expected);
  });
  return ok ? { ok: true } : { ok: false, reason: 'invalid signature' };
}

async function verifyJwt(auth: Extract<WebhookAuthConfig, { type: 'jwt' }>, token: string | undefined, nowMs: number): Promise<AuthResult> {
  if (!token) return { ok: false, reason: 'missing bearer token' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed token' };
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: unknown };
  let claims: { exp?: unknown; nbf?: unknown; iss?: unknown; aud?: unknown; sub?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(fromBase64Url(h)));
    claims = JSON.parse(new TextDecoder().decode(fromBase64Url(p)));
  } catch {
    return { ok: false, reason: 'malformed token' };
  }
  // Only HS256: accepting the token's own `alg` would let "none" or a key-confusion through.
  if (header.alg !== 'HS256') return { ok: false, reason: 'token algorithm must be HS256' };
  const sig = fromBase64Url(s);
  const expected = await hmac('sha256', auth.secret, utf8(`${h}.${p}`));
  if (!sig || !timingSafeEqual(sig, expected)) return { ok: false, reason: 'invalid token signature' };
  const now = nowMs / 1000;
  if (typeof claims.exp === 'number' && now > claims.exp + auth.clockSkewSec) return { ok: false, reason: 'token expired' };
  if (typeof claims.nbf === 'number' && now < claims.nbf - auth.clockSkewSec) return { ok: false, reason: 'token not yet valid' };
  if (auth.requireExp && typeof claims.exp !== 'number') return { ok: false, reason: 'token has no exp' };
  if (auth.issuer !== undefined && claims.iss !== auth.issuer) return { ok: false, reason: 'token issuer not accepted' };
  if (auth.audience !== undefined) {
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(auth.audience)) return { ok: false, reason: 'token audience not accepted' };
  }
  return typeof claims.sub === 'string' ? { ok: true, subject: claims.sub } : { ok: true };
}
