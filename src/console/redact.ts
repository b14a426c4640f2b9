// Nothing secret reaches the page: error messages and reasons can quote a connection string or a
// header, so every string the console shows passes through here first.

const RULES: Array<[RegExp, string]> = [
  // user:password@ in any URL (postgres://, mqtt://, https://)
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]*@/gi, '$1***@'],
  // a bare user@ in front of a database host still names who connects; keep the host only
  [/\b((?:postgres|postgresql|mysql|mongodb(?:\+srv)?|redis|amqps?|mqtts?):\/\/)[^\s/@]+@/gi, '$1***@'],
  // bearer and basic credentials, as in headers
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 ***'],
  // JWTs wherever they appear
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '***'],
  // key=value or "key": "value" for names that hold secrets
  [/\b([A-Za-z0-9_-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|credential)s?["']?\s*[:=]\s*["']?)([^\s"'&,;}]{1,})/gi, '$1***'],
  // whsec_ signing secrets and AWS access key ids
  [/\bwhsec_[A-Za-z0-9+/=]+/g, 'whsec_***'],
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, '$1***'],
];

/**
 * The text with credentials replaced by `***`.
 *
 * @example
 * redact('connect to postgres://app:s3cret@db:5432/shop failed'); // 'connect to postgres://***@db:5432/shop failed'
 */
export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/** `redact` for an optional string. */
export function redactOptional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : redact(text);
}

/** A URL with its user and password removed (it is shown as where things are, never as how to log in). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()]) if (/token|secret|password|key|signature/i.test(key)) u.searchParams.set(key, '***');
    return u.toString().replace(/\/$/, '');
  } catch {
    return redact(url);
  }
}

const SECRET_NAME = /authorization|cookie|token|secret|password|passwd|signature|api[_-]?key|credential/i;

/** Attributes with the values of secret-looking ones (an `authorization` a webhook kept) replaced. */
export function redactAttributes(attributes: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) out[k] = SECRET_NAME.test(k) ? '***' : redact(v);
  return out;
}
