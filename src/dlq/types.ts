// The dead-letter tooling's contract: what `danube-connect dlq`, the console and user code see of
// a dead-letter topic. Records are read through a subscription of their own that is never acked
// while only looking, so listing and peeking never consume a record for good.
import type { DeadLetterEnvelope, DeadLetterReason } from '../core/dead-letter.js';

/** Which dead letters an operation is about; every given field must match. */
export interface DeadLetterFilter {
  reasons?: readonly DeadLetterReason[];
  /** `relay:orders-to-pg`, or a kind alone (`relay`, `source`, `mqtt`, `webhook`). */
  origin?: string;
  /** Last failure at or after / before, ms since the epoch. */
  since?: number;
  until?: number;
  /** The original record's routing key. */
  key?: string;
  /** Dead-letter record ids (`<dead-letter partition topic>@<offset>`). */
  ids?: readonly string[];
}

/** A payload shown to a person: JSON pretty-printed, text as it is, anything else as hex. */
export interface PayloadPreview {
  kind: 'json' | 'text' | 'binary';
  text: string;
  /** The preview was cut (the payload is longer than shown). */
  truncated: boolean;
  bytes: number;
}

/** One record of a dead-letter topic. */
export interface DeadLetterRecord {
  /** `<dead-letter partition topic>@<offset>`. */
  id: string;
  /** The dead-letter (partition) topic and offset it is stored at. */
  topic: string;
  offset: bigint;
  publishTime: number;
  envelope: DeadLetterEnvelope;
  /** The record's own attributes, without the envelope. */
  attributes: Record<string, string>;
  key?: string;
  payload: Uint8Array;
  preview: PayloadPreview;
}

/** Counts of a dead-letter topic, by reason and by origin. */
export interface DeadLetterSummary {
  topic: string;
  total: number;
  byReason: Partial<Record<DeadLetterReason, number>>;
  byOrigin: Record<string, number>;
  /** Last-failure times of the oldest and newest record. */
  oldest?: number;
  newest?: number;
}

/** Progress of a redrive, reported as it goes. */
export interface RedriveProgress {
  /** Records that matched so far, and how many of them were sent (or would be, in a dry run). */
  matched: number;
  sent: number;
  /** Sent again and failed again at once (a direct invocation), back on the dead-letter topic. */
  failed: number;
}

/** How a redrive ended. */
export interface RedriveSummary extends RedriveProgress {
  dryRun: boolean;
  /** Where the records went: a topic, or `invoke:<function>`. */
  destinations: Record<string, number>;
  durationMs: number;
}

/** Where a redrive sends the selected records, and how. */
export interface RedriveOptions {
  /** A topic to publish to; default: each record's original topic. */
  to?: string;
  /** Instead of publishing: hand each record to this function (a sink run directly), one batch per call. */
  invoke?: (records: readonly DeadLetterRecord[], signal: AbortSignal) => Promise<void>;
  /** Count and report only; nothing is published or acked. */
  dryRun?: boolean;
  /** At most this many records per second. */
  ratePerSecond?: number;
  onProgress?: (progress: RedriveProgress) => void;
  signal?: AbortSignal;
}

/**
 * One dead-letter topic seen through its inspection subscription: summary and list look without
 * consuming; a redrive acks what it sent, so a rerun after a crash continues where it stopped.
 */
export interface DeadLetterTopic {
  readonly topic: string;
  summary(filter?: DeadLetterFilter): Promise<DeadLetterSummary>;
  list(filter?: DeadLetterFilter, options?: { limit?: number }): Promise<DeadLetterRecord[]>;
  redrive(filter: DeadLetterFilter, options?: RedriveOptions): Promise<RedriveSummary>;
  close(): Promise<void>;
}
