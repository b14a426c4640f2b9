// The dead-letter envelope: what every record on a dead-letter topic carries beside its original
// payload and attributes, whoever put it there (a source, the relay, a connector). One definition,
// read by the status view and the dead-letter tooling as it is written here.

/** Why a record was dead-lettered: a closed list, documented in docs/dead-letters.md. */
export const DEAD_LETTER_REASONS = [
  /** The record itself can never succeed (malformed payload, refused by the function as invalid). */
  'invalid-record',
  /** The function failed for it more than `maxRetryAttempts` times. */
  'retries-exhausted',
  /** Larger than the broker or one invocation accepts. */
  'too-large',
  /** Older than `maxRecordAgeSeconds` before it could be delivered. */
  'max-record-age',
  /** A failure no retry fixes for this record (e.g. the broker refused it for good). */
  'fatal',
] as const;

export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** The attribute names of the envelope. */
export const DEAD_LETTER_ATTRIBUTES = Object.freeze({
  reason: 'x-dlq-reason',
  error: 'x-dlq-error',
  errorClass: 'x-dlq-error-class',
  origin: 'x-dlq-origin',
  attempts: 'x-dlq-attempts',
  firstFailureAt: 'x-dlq-first-failure-at',
  lastFailureAt: 'x-dlq-last-failure-at',
  originalTopic: 'x-original-topic',
  originalPartition: 'x-original-partition',
  originalOffset: 'x-original-offset',
  originalRecordId: 'x-original-record-id',
  originalKey: 'x-original-key',
  originalPublishTime: 'x-original-publish-time',
});

/** What went wrong, where, and where the record came from. */
export interface DeadLetterEnvelope {
  reason: DeadLetterReason;
  /** The error message (cut to 1000 characters). */
  error: string;
  /** The error's class name (`InvalidRecordError`, `InvokeError`, ...). */
  errorClass: string;
  /** Who dead-lettered it: `source:<name>`, `relay:<binding>`, `mqtt:<name>`, `webhook:<route>`. */
  origin: string;
  /** Tries made, the last one included. */
  attempts: number;
  /** When it first failed and when it last failed, ms since the epoch. */
  firstFailureAt: number;
  lastFailureAt: number;
  /** The topic it was meant for or read from (the logical topic, without `-part-N`). */
  originalTopic: string;
  /** The partition it was read from (partitioned topics only). */
  originalPartition?: number;
  /** Its offset on that partition, when it had been published. */
  originalOffset?: bigint;
  /** Its stable id: the source record id when it has one, else `<partition topic>@<offset>`. */
  originalRecordId?: string;
  originalKey?: string;
  /** When it was first published, ms since the epoch. */
  originalPublishTime?: number;
}

/**
 * The reason for dead-lettering a record that failed with `err`: `too-large` when the error says
 * the record is too large (a client error of kind `too-large`), else `invalid-record`.
 */
export function deadLetterReasonOf(err: unknown): 'too-large' | 'invalid-record' {
  return typeof err === 'object' && err !== null && (err as { kind?: unknown }).kind === 'too-large' ? 'too-large' : 'invalid-record';
}

/** The kinds of origin, before the colon of {@link DeadLetterEnvelope.origin}. */
export type DeadLetterOriginKind = 'source' | 'relay' | 'mqtt' | 'webhook';

/** `source:orders`, `relay:orders-to-pg`, ... */
export function deadLetterOrigin(kind: DeadLetterOriginKind, name: string): string {
  return `${kind}:${name}`;
}

const A = DEAD_LETTER_ATTRIBUTES;
const PARTITION = /^(.*)-part-(\d+)$/;

/** `/default/orders-part-3` → `{ topic: '/default/orders', partition: 3 }`; a plain topic has no partition. */
export function splitPartition(topic: string): { topic: string; partition?: number } {
  const m = PARTITION.exec(topic);
  return m ? { topic: m[1]!, partition: Number(m[2]) } : { topic };
}

/**
 * The attributes of a dead-letter record: the original ones, without any envelope an earlier
 * dead-lettering left (a redriven record that fails again gets a fresh one, its attempts added to
 * those made before the redrive), plus the envelope.
 *
 * @example
 * deadLetterAttributes(record.attributes, { reason: 'invalid-record', error: 'not JSON', errorClass: 'InvalidRecordError',
 *   origin: 'relay:orders', attempts: 1, firstFailureAt: now, lastFailureAt: now, originalTopic: '/default/orders' });
 */
export function deadLetterAttributes(original: Readonly<Record<string, string>>, envelope: DeadLetterEnvelope): Record<string, string> {
  const out: Record<string, string> = withoutEnvelope(original);
  out[A.reason] = envelope.reason;
  out[A.error] = envelope.error.slice(0, 1000);
  out[A.errorClass] = envelope.errorClass;
  out[A.origin] = envelope.origin;
  const prior = Number(original[PRIOR_ATTEMPTS_ATTRIBUTE] ?? 0);
  out[A.attempts] = String(envelope.attempts + (Number.isInteger(prior) && prior > 0 ? prior : 0));
  out[A.firstFailureAt] = String(envelope.firstFailureAt);
  out[A.lastFailureAt] = String(envelope.lastFailureAt);
  out[A.originalTopic] = envelope.originalTopic;
  if (envelope.originalPartition !== undefined) out[A.originalPartition] = String(envelope.originalPartition);
  if (envelope.originalOffset !== undefined) out[A.originalOffset] = envelope.originalOffset.toString();
  if (envelope.originalRecordId !== undefined) out[A.originalRecordId] = envelope.originalRecordId;
  if (envelope.originalKey !== undefined) out[A.originalKey] = envelope.originalKey;
  if (envelope.originalPublishTime !== undefined) out[A.originalPublishTime] = String(envelope.originalPublishTime);
  return out;
}

/**
 * Attempts made before the record was last taken off a dead-letter topic and sent again (a
 * redrive sets it): a record that fails again is dead-lettered with the attempts added up, so a
 * record that can never succeed shows it instead of looping unseen.
 */
export const PRIOR_ATTEMPTS_ATTRIBUTE = 'x-danube-prior-attempts';

const ENVELOPE_NAMES = new Set<string>([...Object.values(A), PRIOR_ATTEMPTS_ATTRIBUTE]);

/** The attributes without the envelope: what the record carried before it was dead-lettered. */
export function withoutEnvelope(attributes: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) if (!ENVELOPE_NAMES.has(k)) out[k] = v;
  return out;
}

/**
 * Reads the envelope back from a dead-letter record's attributes; undefined when they hold none
 * (a record that is not a dead letter, or one written by another tool).
 */
export function readDeadLetterEnvelope(attributes: Readonly<Record<string, string>>): DeadLetterEnvelope | undefined {
  const reason = attributes[A.reason];
  if (!reason || !(DEAD_LETTER_REASONS as readonly string[]).includes(reason)) return undefined;
  const int = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  const envelope: DeadLetterEnvelope = {
    reason: reason as DeadLetterReason,
    error: attributes[A.error] ?? '',
    errorClass: attributes[A.errorClass] ?? 'Error',
    origin: attributes[A.origin] ?? 'unknown',
    attempts: int(attributes[A.attempts]) ?? 1,
    firstFailureAt: int(attributes[A.firstFailureAt]) ?? 0,
    lastFailureAt: int(attributes[A.lastFailureAt]) ?? 0,
    originalTopic: attributes[A.originalTopic] ?? '',
  };
  const partition = int(attributes[A.originalPartition]);
  if (partition !== undefined) envelope.originalPartition = partition;
  const offset = attributes[A.originalOffset];
  if (offset !== undefined && /^\d+$/.test(offset)) envelope.originalOffset = BigInt(offset);
  if (attributes[A.originalRecordId] !== undefined) envelope.originalRecordId = attributes[A.originalRecordId];
  if (attributes[A.originalKey] !== undefined) envelope.originalKey = attributes[A.originalKey];
  const published = int(attributes[A.originalPublishTime]);
  if (published !== undefined) envelope.originalPublishTime = published;
  return envelope;
}
