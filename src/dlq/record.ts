// A message read from a dead-letter topic, as the tooling shows it: its envelope (also for the
// records earlier versions and the broker itself wrote, whose attributes differ), its own
// attributes and a preview of its payload.
import { DEAD_LETTER_REASONS, readDeadLetterEnvelope, splitPartition, withoutEnvelope, type DeadLetterEnvelope } from '../core/dead-letter.js';
import { payloadPreview } from './preview.js';
import type { DeadLetterFilter, DeadLetterRecord } from './types.js';

/** What the tooling needs of a delivered message. */
export interface DeadLetterMessage {
  topic: string;
  offset: bigint;
  publishTime: number;
  payload: Uint8Array;
  attributes: Record<string, string>;
  routingKey?: string | undefined;
}

/**
 * Attributes that describe an earlier dead-lettering rather than the record: the ones earlier
 * versions wrote, and the ones the broker writes when its own poison policy dead-letters.
 */
const FOREIGN_ENVELOPE = [
  'x-attempts',
  'x-binding',
  'x-source',
  'x-original-subscription',
  'x-original-topic-offset',
  'x-original-producer-id',
  'x-original-broker-addr',
  'x-poison-policy',
  'x-delivery-attempt',
  'x-failure-reason',
];

/** The record's own attributes: without any envelope, current, earlier or the broker's. */
export function ownAttributes(attributes: Readonly<Record<string, string>>): Record<string, string> {
  const out = withoutEnvelope(attributes);
  for (const k of FOREIGN_ENVELOPE) delete out[k];
  return out;
}

const int = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);

/**
 * The envelope of a record without the current one: the broker's poison policy (`broker:<subscription>`,
 * `retries-exhausted`), or an earlier version's relay, source or MQTT attributes.
 */
function foreignEnvelope(a: Readonly<Record<string, string>>, publishTime: number): DeadLetterEnvelope {
  const known = (r: string | undefined) =>
    r !== undefined && (DEAD_LETTER_REASONS as readonly string[]).includes(r) ? (r as DeadLetterEnvelope['reason']) : undefined;
  const base = { firstFailureAt: publishTime, lastFailureAt: publishTime, originalTopic: splitPartition(a['x-original-topic'] ?? '').topic };
  if (a['x-original-subscription'] !== undefined) {
    const envelope: DeadLetterEnvelope = {
      ...base,
      reason: 'retries-exhausted',
      error: a['x-failure-reason'] ?? 'max redeliveries exceeded',
      errorClass: 'PoisonPolicy',
      origin: `broker:${a['x-original-subscription']}`,
      attempts: int(a['x-delivery-attempt']) ?? 1,
    };
    const offset = a['x-original-topic-offset'];
    if (offset !== undefined && /^\d+$/.test(offset)) envelope.originalOffset = BigInt(offset);
    return envelope;
  }
  if (a['x-binding'] !== undefined) {
    return {
      ...base,
      reason: known(a['x-dlq-reason']) ?? 'retries-exhausted',
      error: a['x-dlq-error'] ?? a['x-dlq-reason'] ?? '',
      errorClass: 'Error',
      origin: `relay:${a['x-binding']}`,
      attempts: int(a['x-attempts']) ?? 1,
    };
  }
  // Earlier sources put the message in x-dlq-reason and the class in x-dlq-error; MQTT wrote "invalid".
  return {
    ...base,
    reason: 'invalid-record',
    error: a['x-dlq-reason'] ?? '',
    errorClass: a['x-dlq-error'] ?? 'Error',
    origin: a['x-source'] !== undefined ? `source:${a['x-source']}` : 'unknown',
    attempts: int(a['x-attempts']) ?? 1,
  };
}

/** A message of a dead-letter topic as a {@link DeadLetterRecord}. */
export function toDeadLetterRecord(msg: DeadLetterMessage, previewBytes?: number): DeadLetterRecord {
  const envelope = readDeadLetterEnvelope(msg.attributes) ?? foreignEnvelope(msg.attributes, msg.publishTime);
  const record: DeadLetterRecord = {
    id: `${msg.topic}@${msg.offset}`,
    topic: msg.topic,
    offset: msg.offset,
    publishTime: msg.publishTime,
    envelope,
    attributes: ownAttributes(msg.attributes),
    payload: msg.payload,
    preview: payloadPreview(msg.payload, previewBytes),
  };
  const key = envelope.originalKey ?? msg.routingKey;
  if (key) record.key = key;
  return record;
}

/**
 * Whether a record is one the filter selects: every given field must match. An origin without a
 * colon matches every origin of that kind (`relay` matches `relay:orders`).
 */
export function matchesFilter(r: DeadLetterRecord, f: DeadLetterFilter): boolean {
  const e = r.envelope;
  if (f.reasons?.length && !f.reasons.includes(e.reason)) return false;
  if (f.origin !== undefined && e.origin !== f.origin && !(f.origin.indexOf(':') < 0 && e.origin.startsWith(`${f.origin}:`))) return false;
  // Records written without failure times are placed at their publish time.
  const at = e.lastFailureAt || r.publishTime;
  if (f.since !== undefined && at < f.since) return false;
  if (f.until !== undefined && at >= f.until) return false;
  if (f.key !== undefined && r.key !== f.key) return false;
  if (f.ids?.length && !f.ids.includes(r.id)) return false;
  return true;
}
