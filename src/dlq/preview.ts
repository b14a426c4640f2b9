import { toHex } from '../core/bytes.js';
import type { PayloadPreview } from './types.js';

/** How much of a payload a preview shows by default, in bytes. */
export const DEFAULT_PREVIEW_BYTES = 4096;

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A payload as a person reads it: JSON pretty-printed, valid UTF-8 text as it is (control
 * characters other than tab and newlines make it binary), anything else as hex. At most
 * `maxBytes` of the payload are shown; `truncated` says when there was more.
 *
 * @example
 * payloadPreview(new TextEncoder().encode('{"a":1}')); // { kind: 'json', text: '{\n  "a": 1\n}', truncated: false, bytes: 7 }
 */
export function payloadPreview(payload: Uint8Array, maxBytes = DEFAULT_PREVIEW_BYTES): PayloadPreview {
  const bytes = payload.length;
  let text: string | undefined;
  try {
    text = decoder.decode(payload);
  } catch {
    text = undefined;
  }
  // Text with control characters (a NUL, an escape) is not meant to be read as text.
  if (text !== undefined && /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) text = undefined;
  if (text === undefined) {
    const shown = payload.subarray(0, maxBytes);
    return { kind: 'binary', text: toHex(shown), truncated: bytes > shown.length, bytes };
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const pretty = JSON.stringify(JSON.parse(trimmed), null, 2);
      return cut('json', pretty, maxBytes, bytes);
    } catch {
      /* not JSON after all: shown as text */
    }
  }
  return cut('text', text, maxBytes, bytes);
}

function cut(kind: 'json' | 'text', text: string, maxBytes: number, bytes: number): PayloadPreview {
  // Characters, not bytes: close enough for a preview, and never splits a character.
  if (text.length <= maxBytes) return { kind, text, truncated: false, bytes };
  return { kind, text: text.slice(0, maxBytes), truncated: true, bytes };
}
