import type { DeadLetterReason } from '../core/dead-letter.js';

/** The fields of a delivered message the relay's batching logic looks at (a `DanubeMessage` fits). */
export interface RelayMessage {
  /** The partition topic, e.g. `/default/orders-part-0`. */
  topic: string;
  offset: bigint;
  payload: Uint8Array;
  /** Milliseconds since the epoch. */
  publishTime: number;
  routingKey?: string;
  attributes: Record<string, string>;
  producerName?: string;
  /** The producer's request id: with `publishTime` and `producerName` it tells messages apart. */
  requestId?: bigint;
}

/** A message the relay has read and not yet settled (acked or dead-lettered). */
export interface TrackedRecord<M extends RelayMessage = RelayMessage> {
  /** `<partition topic>@<offset>`: the id in the batch event and in `batchItemFailures`. */
  readonly id: string;
  readonly msg: M;
  /** Ordering unit: the partition topic (`partition`), partition + routing key (`key`), '' (`none`). */
  readonly lane: string;
  /** Raw payload bytes. */
  readonly bytes: number;
  /** Estimated size of this record inside the JSON batch event (base64 payload + metadata). */
  readonly eventBytes: number;
  readonly receivedAt: number;
  /** A batch holding this record may be cut from this time on (end of the batching window, or retry time). */
  readyAt: number;
  /** Not invoked before this time (retry backoff). */
  notBefore: number;
  /** Invocations so far (the event's `attempt` is this + 1 on the next one). */
  attempts: number;
  /** Failures counted against `maxRetryAttempts` (bisect splits and throttles do not count). */
  retries: number;
  /** Set after a bisect: the record only travels with records of the same group. */
  group?: number;
  state: 'pending' | 'in-flight' | 'settling';
  /** Past its retry budget on a binding without a dead-letter topic: retried on, reported as stuck. */
  exhausted: boolean;
  /** Set when the record can never be invoked (e.g. too large). */
  rejected?: DeadLetterReason;
  lastError?: string;
  /** The class of the last failure's error (see the dead-letter envelope). */
  lastErrorClass?: string;
  /** When an attempt first and last failed for it, ms since the epoch. */
  firstFailureAt?: number;
  lastFailureAt?: number;
}

/** Prefix, suffix and quoting the batch event adds around each record, beyond its fields. */
const EVENT_RECORD_OVERHEAD = 220;

/**
 * What one record adds to the JSON batch event: base64 payload plus its metadata. An estimate on
 * the safe side, so a batch cut by it always fits the Lambda payload limit.
 */
export function estimateEventBytes(msg: RelayMessage): number {
  let n = EVENT_RECORD_OVERHEAD + 4 * Math.ceil(msg.payload.byteLength / 3) + msg.topic.length * 3 + 40;
  for (const [k, v] of Object.entries(msg.attributes)) n += 8 + jsonLength(k) + jsonLength(v);
  if (msg.routingKey) n += 20 + jsonLength(msg.routingKey);
  return n;
}

function jsonLength(s: string): number {
  // Each UTF-16 unit takes at most 6 bytes escaped (\uXXXX); plain ASCII takes 1.
  // eslint-disable-next-line no-control-regex
  return /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(s) ? s.length : s.length * 6;
}

/**
 * What stays the same when the broker redelivers a message and differs between two messages:
 * non-reliable topics deliver every message at offset 0, so the offset alone cannot tell.
 */
export function fingerprintOf(msg: RelayMessage): string {
  return `${msg.publishTime}|${msg.producerName ?? ''}|${msg.requestId ?? ''}`;
}

/** The record id the relay and the sink agree on. */
export function idOf(msg: { topic: string; offset: bigint }): string {
  return `${msg.topic}@${msg.offset}`;
}
