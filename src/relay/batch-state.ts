import type { DeadLetterReason } from '../core/dead-letter.js';
import { RecentIds } from './recent-ids.js';
import { planSettlement, type BatchOutcome, type SettleRules } from './settle-batch.js';
import { estimateEventBytes, fingerprintOf, idOf, type RelayMessage, type TrackedRecord } from './tracked-record.js';

export type Ordering = SettleRules['ordering'];

export interface BatchStateOptions extends SettleRules {
  batchSize: number;
  maxBatchBytes: number;
  /** Upper bound of the encoded batch event (the Lambda payload limit minus headroom). */
  maxEventBytes: number;
  maxBatchingWindowMs: number;
  maxConcurrency: number;
  /** -1 = no limit. */
  maxRecordAgeMs: number;
  /**
   * The broker's unacked window for the subscription. Once the relay holds that many records no
   * more can arrive, so waiting out the batching window would only add latency.
   */
  brokerWindow?: number;
  /** How many settled ids to remember to recognise late redeliveries. */
  recentCapacity?: number;
}

export interface Batch<M extends RelayMessage = RelayMessage> {
  readonly id: number;
  readonly records: TrackedRecord<M>[];
  readonly startedAt: number;
}

/** What `offer` decided about a delivered message. */
export type OfferResult = 'new' | 'in-flight-duplicate' | 'settled-duplicate';

/** A record to publish to the dead-letter topic, with why. */
export interface DeadLetterDecision<M extends RelayMessage = RelayMessage> {
  record: TrackedRecord<M>;
  reason: DeadLetterReason;
  error: string;
  errorClass: string;
}

/** What the runner does after an invocation: ack, dead-letter, or wait for the retry. */
export interface Settlement<M extends RelayMessage = RelayMessage> {
  /** Handled: ack now. */
  ack: TrackedRecord<M>[];
  /** Publish to the dead-letter topic, then ack. */
  deadLetter: DeadLetterDecision<M>[];
  /** Back in the queue for another attempt. */
  retried: TrackedRecord<M>[];
  /** Records whose attempt failed (listed in batchItemFailures, or in a failed batch). */
  failed: TrackedRecord<M>[];
  badResponse?: string;
  bisected?: boolean;
}

/**
 * The relay's per-binding batch and ack state machine, free of I/O and timers so it can be
 * tested with a fake clock. The runner offers delivered messages, asks for batches, reports how
 * each invocation ended, and acks / dead-letters what {@link BatchState.complete} returns.
 *
 * Ordering: with `partition` or `key`, at most one batch per lane (partition, or partition + key)
 * is in flight, and a lane's failed records go back to the front so nothing after them overtakes.
 *
 * @example
 * const state = new BatchState({ ...options });
 * if (state.offer(msg, Date.now()) === 'new') pump();
 * const batch = state.nextBatch(Date.now());
 * const { ack, deadLetter } = state.complete(batch.id, { type: 'success' }, Date.now());
 */
export class BatchState<M extends RelayMessage = RelayMessage> {
  private readonly known = new Map<string, TrackedRecord<M>>();
  private pending: TrackedRecord<M>[] = [];
  private readonly inFlight = new Map<number, Batch<M>>();
  private readonly busyLanes = new Set<string>();
  private readonly recent: RecentIds;
  private nextBatchId = 1;
  private nextGroup = 1;
  private nextUnique = 1;
  /** Pending records that can never be invoked (too large); lets the common path skip a scan. */
  private rejectedCount = 0;

  constructor(readonly options: BatchStateOptions) {
    this.recent = new RecentIds(options.recentCapacity ?? 10_000);
  }

  /**
   * Registers a delivered message unless it is a redelivery of one still held or just settled.
   * Another message at an offset already seen (non-reliable topics deliver everything at offset
   * 0) gets an id of its own, `<topic>@<offset>#<n>`.
   */
  offer(msg: M, now: number): OfferResult {
    const redelivery = this.classify(msg);
    if (redelivery === 'new') this.add(msg, now);
    return redelivery;
  }

  /** Registers a message that {@link classify} found `new` (the runner classifies once, then filters). */
  add(msg: M, now: number): void {
    let id = idOf(msg);
    if (this.known.has(id) || this.recent.has(id)) id = `${id}#${this.nextUnique++}`;
    const o = this.options;
    const lane = o.ordering === 'none' ? '' : o.ordering === 'partition' ? msg.topic : `${msg.topic}\u0000${msg.routingKey ?? ''}`;
    const record: TrackedRecord<M> = {
      id,
      msg,
      lane,
      bytes: msg.payload.byteLength,
      eventBytes: estimateEventBytes(msg),
      receivedAt: now,
      // The window counts from publish (or receipt, when the producer's clock is ahead), so the
      // delivery delay is part of it: a record never waits for a batch longer than the window.
      readyAt: Math.min(now, msg.publishTime) + o.maxBatchingWindowMs,
      notBefore: now,
      attempts: 0,
      retries: 0,
      state: 'pending',
      exhausted: false,
    };
    if (record.bytes > o.maxBatchBytes || record.eventBytes > o.maxEventBytes) {
      record.rejected = 'too-large';
      this.rejectedCount++;
      record.lastError = `record of ${record.bytes} bytes cannot fit one invocation (maxBatchBytes ${o.maxBatchBytes})`;
    }
    this.known.set(id, record);
    this.pending.push(record);
  }

  /**
   * Whether a delivered message is a redelivery of a record still held (`in-flight-duplicate`: do
   * nothing), of one settled moments ago (`settled-duplicate`: ack it again), or `new`.
   */
  classify(msg: M): OfferResult {
    const id = idOf(msg);
    const held = this.known.get(id);
    if (held) return fingerprintOf(held.msg) === fingerprintOf(msg) ? 'in-flight-duplicate' : 'new';
    const settled = this.recent.get(id);
    if (settled !== undefined) return settled === fingerprintOf(msg) ? 'settled-duplicate' : 'new';
    return 'new';
  }

  /**
   * Remembers a message {@link classify} found `new` that is settled without entering a batch
   * (filtered out), so that a redelivery of it is recognised.
   */
  remember(msg: M): void {
    if (!this.known.has(idOf(msg))) this.recent.add(idOf(msg), fingerprintOf(msg));
  }

  /**
   * Takes pending records that must go to the dead-letter topic without (another) invocation:
   * older than `maxRecordAgeSeconds`, or too large. Without a dead-letter topic, too-large
   * records stay and are reported as stuck.
   */
  takeDeadLetters(now: number): DeadLetterDecision<M>[] {
    const o = this.options;
    const out: DeadLetterDecision<M>[] = [];
    if (this.rejectedCount === 0 && o.maxRecordAgeMs <= 0) return out;
    if (!o.hasDeadLetterTopic) {
      for (const r of this.pending) if (r.rejected) r.exhausted = true;
      return out;
    }
    const keep: TrackedRecord<M>[] = [];
    for (const r of this.pending) {
      // The relay's own limits: the error class names the setting that decided.
      if (r.rejected) out.push({ record: r, reason: r.rejected, error: r.lastError ?? 'too large', errorClass: 'maxBatchBytes' });
      else if (o.maxRecordAgeMs > 0 && now - r.msg.publishTime > o.maxRecordAgeMs) {
        out.push({
          record: r,
          reason: 'max-record-age',
          error: `older than maxRecordAgeSeconds (${o.maxRecordAgeMs / 1000})`,
          errorClass: 'maxRecordAgeSeconds',
        });
      } else keep.push(r);
    }
    if (out.length) {
      this.rejectedCount -= out.filter((d) => d.reason === 'too-large').length;
      this.pending = keep;
      for (const { record } of out) record.state = 'settling';
    }
    return out;
  }

  /** Cuts the next batch when one is due (full, window over, retry due, or `flush`), else undefined. */
  nextBatch(now: number, flush = false): Batch<M> | undefined {
    const o = this.options;
    if (this.inFlight.size >= o.maxConcurrency || this.pending.length === 0) return undefined;
    const ordered = o.ordering !== 'none';
    const blocked = new Set(this.busyLanes);
    const picked: TrackedRecord<M>[] = [];
    let bytes = 0;
    let eventBytes = 0;
    let group: number | undefined;
    let full = false;
    let due = flush;
    for (const r of this.pending) {
      if (ordered && blocked.has(r.lane)) continue;
      if (r.rejected || r.notBefore > now || (picked.length > 0 && r.group !== group)) {
        if (ordered) blocked.add(r.lane);
        continue;
      }
      if (picked.length > 0 && (bytes + r.bytes > o.maxBatchBytes || eventBytes + r.eventBytes > o.maxEventBytes)) {
        full = true;
        break;
      }
      if (picked.length === 0) group = r.group;
      picked.push(r);
      bytes += r.bytes;
      eventBytes += r.eventBytes;
      if (r.readyAt <= now) due = true;
      if (picked.length >= o.batchSize) {
        full = true;
        break;
      }
    }
    if (picked.length === 0) return undefined;
    const windowFull = o.brokerWindow !== undefined && this.known.size >= o.brokerWindow;
    if (!(full || due || windowFull || group !== undefined)) return undefined;
    const taken = new Set(picked);
    this.pending = this.pending.filter((r) => !taken.has(r));
    for (const r of picked) {
      r.state = 'in-flight';
      r.attempts++;
      if (ordered) this.busyLanes.add(r.lane);
    }
    const batch: Batch<M> = { id: this.nextBatchId++, records: picked, startedAt: now };
    this.inFlight.set(batch.id, batch);
    return batch;
  }

  /** When a batch may next become due (window end or retry time), or undefined if nothing waits on time. */
  nextWakeAt(now: number): number | undefined {
    let at: number | undefined;
    for (const r of this.pending) {
      if (r.rejected) continue;
      const t = Math.max(r.readyAt, r.notBefore);
      if (t > now && (at === undefined || t < at)) at = t;
    }
    return at;
  }

  /**
   * Applies how an invocation ended. Returns the records to ack now, those to dead-letter, and
   * those scheduled again; the caller acks / publishes, then calls {@link settled} for each.
   */
  complete(batchId: number, outcome: BatchOutcome, now: number): Settlement<M> {
    const batch = this.inFlight.get(batchId);
    if (!batch) throw new Error(`unknown batch ${batchId}`);
    this.inFlight.delete(batchId);
    for (const r of batch.records) this.busyLanes.delete(r.lane);
    const plan = planSettlement(batch.records, outcome, now, this.options, () => this.nextGroup++);
    const result: Settlement<M> = { ack: [], deadLetter: [], retried: [], failed: [] };
    if (plan.badResponse) result.badResponse = plan.badResponse;
    if (plan.bisected) result.bisected = true;
    for (const { record: r, decision: d } of plan.decisions) {
      if (d.action === 'ack') {
        r.state = 'settling';
        result.ack.push(r);
        continue;
      }
      r.firstFailureAt ??= now;
      r.lastFailureAt = now;
      if (d.action === 'dead-letter') {
        r.state = 'settling';
        r.lastError = d.error;
        result.failed.push(r);
        result.deadLetter.push({ record: r, reason: d.reason, error: d.error, errorClass: d.errorClass });
        continue;
      }
      r.state = 'pending';
      if (d.counted) r.retries++;
      if (d.exhausted) r.exhausted = true;
      if (d.error !== undefined) r.lastError = d.error;
      if (d.errorClass !== undefined) r.lastErrorClass = d.errorClass;
      if (d.group === undefined) delete r.group;
      else r.group = d.group;
      r.notBefore = r.readyAt = d.notBefore;
      if (d.failed) result.failed.push(r);
      result.retried.push(r);
    }
    // Retried records go first: on an ordered lane everything still pending came after them.
    this.pending = [...result.retried, ...this.pending];
    return result;
  }

  /**
   * Gives an in-flight batch back untouched (shutdown before it was invoked, or it was abandoned):
   * its records are forgotten so a broker redelivery is processed again.
   */
  abandon(batchId: number): void {
    const batch = this.inFlight.get(batchId);
    if (!batch) return;
    this.inFlight.delete(batchId);
    for (const r of batch.records) {
      this.busyLanes.delete(r.lane);
      this.known.delete(r.id);
    }
  }

  /** Forgets pending records (shutdown): the broker redelivers them to whoever reads next. */
  releasePending(): TrackedRecord<M>[] {
    const released = this.pending;
    this.pending = [];
    this.rejectedCount = 0;
    for (const r of released) this.known.delete(r.id);
    return released;
  }

  /** The record was acked or dead-lettered: forget it, but recognise a late redelivery of it. */
  settled(id: string): void {
    const record = this.known.get(id);
    this.known.delete(id);
    // Ids with a `#n` suffix name messages that share an offset: there is no redelivery to recognise.
    if (record && !id.includes('#')) this.recent.add(id, fingerprintOf(record.msg));
  }

  /** A settled record whose ack failed: forget it without remembering, so it can come back. */
  forget(id: string): void {
    this.known.delete(id);
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  get inFlightBatches(): number {
    return this.inFlight.size;
  }

  get inFlightRecords(): number {
    let n = 0;
    for (const b of this.inFlight.values()) n += b.records.length;
    return n;
  }

  /** Records read and not yet settled. */
  get heldCount(): number {
    return this.known.size;
  }

  /** Records past their retry budget that are retried on because there is no dead-letter topic. */
  get stuckCount(): number {
    let n = 0;
    for (const r of this.known.values()) if (r.exhausted) n++;
    return n;
  }

  /** Publish time of the oldest record held (not yet acked), if any. */
  oldestPublishTime(): number | undefined {
    let t: number | undefined;
    for (const r of this.known.values()) if (t === undefined || r.msg.publishTime < t) t = r.msg.publishTime;
    return t;
  }
}
