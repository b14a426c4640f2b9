import type { PayloadPreview } from '../dlq/types.js';

/** How much of a payload the page shows. */
export const PREVIEW_LIMIT = 4096;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Text is what decodes as UTF-8 and has no control characters besides whitespace. */
function asText(bytes: Uint8Array): string | undefined {
  try {
    const text = decoder.decode(bytes);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x7f || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return undefined;
    }
    return text;
  } catch {
    return undefined;
  }
}

/**
 * A payload as a person reads it: JSON pretty-printed, other text as it is, anything else as hex,
 * cut at `limit` characters.
 *
 * @example
 * previewPayload(new TextEncoder().encode('{"a":1}')); // { kind: 'json', text: '{\n  "a": 1\n}', truncated: false, bytes: 7 }
 */
export function previewPayload(bytes: Uint8Array, limit = PREVIEW_LIMIT): PayloadPreview {
  const text = asText(bytes);
  let kind: PayloadPreview['kind'];
  let shown: string;
  if (text === undefined) {
    kind = 'binary';
    const slice = bytes.subarray(0, Math.ceil(limit / 3));
    shown = Array.from(slice, (b) => b.toString(16).padStart(2, '0')).join(' ');
    return { kind, text: shown, truncated: slice.length < bytes.length, bytes: bytes.length };
  }
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
    kind = 'json';
  } catch {
    shown = text;
    kind = 'text';
  }
  return { kind, text: shown.slice(0, limit), truncated: shown.length > limit, bytes: bytes.length };
}
