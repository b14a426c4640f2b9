import { createHash } from 'node:crypto';
import { stringifyJson } from '../core/bytes.js';
import type { SourceRecord } from '../core/source-record.js';

import { RECORD_ID_ATTRIBUTE } from '../core/attributes.js';

export { RECORD_ID_ATTRIBUTE };

/**
 * The stable id of the `index`-th record returned by a poll that started at `checkpoint`.
 * A run that crashed after publishing and before committing polls again from the same
 * checkpoint, so a deterministic source gets the same ids the second time: duplicates on the
 * topic, but recognisable ones. A connector that knows a better id (a primary key, an event id)
 * sets the attribute itself and that one is kept.
 *
 * @example
 * recordIdFor(record, 'orders', { after: 41 }, 0); // 'orders@5f1c0e2a9b7d4c11:0'
 */
export function recordIdFor(record: SourceRecord, source: string, checkpoint: unknown, index: number): string {
  const given = record.attributes?.[RECORD_ID_ATTRIBUTE] ?? (record as { id?: unknown }).id;
  if (typeof given === 'string' && given !== '') return given;
  return `${source}@${checkpointDigest(checkpoint)}:${index}`;
}

/** 16 hex digits of SHA-256 over the checkpoint's JSON (`-` for no checkpoint). */
export function checkpointDigest(checkpoint: unknown): string {
  if (checkpoint === undefined) return '-';
  const json = stringifyJson(checkpoint) ?? '';
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}
