// HTTP header helpers shared by the HTTP connectors (poller, webhook, sink). Web APIs only.

/**
 * The wait a `Retry-After` header asks for, in ms: delta-seconds or an HTTP date. `undefined`
 * when absent or unreadable; never negative.
 *
 * @example
 * parseRetryAfter('3'); // 3000
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The target of the `rel="next"` link of a `Link` header (RFC 8288), resolved against `base`.
 *
 * @example
 * nextLink('<https://api.example/items?page=2>; rel="next"', 'https://api.example/items');
 */
export function nextLink(header: string | null | undefined, base: string): string | undefined {
  if (!header) return undefined;
  // Split on commas that start a new `<...>` link; URLs may contain commas themselves.
  for (const part of header.split(/,\s*(?=<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) continue;
    const rels = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2]!);
    const rel = (rels?.[1] ?? rels?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rel.includes('next')) return new URL(m[1]!, base).toString();
  }
  return undefined;
}
