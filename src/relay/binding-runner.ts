import { backoffDelay, BACKOFF_POLICIES } from '../core/backoff.js';
import { sleep } from '../core/retry.js';
import type { Logger } from '../core/logger.js';
import type { Transform } from '../core/transforms.js';
import { BatchState, type Batch } from './batch-state.js';
import { type BindingConfig } from './config-schema.js';
import { DeadLetterPublisher, relayEnvelope, type RelayDeadLetter } from './dead-letter.js';
import { compileFilter, type RecordFilter } from './filter.js';
import type { Invoker } from './invokers/types.js';
import { addByReason, type BindingCounts, type RelayMetrics } from './metrics.js';
import type { RelayClient, RelayConsumer, RelayDelivery } from './ports.js';
import { invokeBatch } from './invoke-batch.js';
import type { BatchOutcome } from './settle-batch.js';
import type { TrackedRecord } from './tracked-record.js';
import { batchStateOptionsFor } from './batch-options.js';
import { BindingHealth } from './binding-health.js';
import { bindingStatus, type BindingSnapshot, type BindingStatus } from './binding-status.js';
import { fixedConsumerName } from './consumer-name.js';
import { failedBatchReport } from './settle-log.js';
import { tracingRegistered } from '../core/tracing.js';
import { startBatchTrace, tracedDeadLetter, type BatchTrace } from './tracing.js';

type Msg = RelayDelivery;

/**
 * Longest wait between two subscribe attempts. A binding whose topic does not exist yet must
 * subscribe within a second of its creation: records published before the subscription exists
 * are never delivered to it.
 */
export const SUBSCRIBE_RETRY_MAX_MS = BACKOFF_POLICIES.resubscribe.maxDelayMs;

export interface BindingRunnerDeps {
  client: RelayClient;
  invoker: Invoker;
  metrics: RelayMetrics;
  logger: Logger;
  transforms?: readonly Transform[];
  now?: () => number;
}

/**
 * Runs one binding: reads its subscription into a bounded buffer, cuts batches, invokes the
 * function, and acks / retries / dead-letters as {@link BatchState} decides. Resubscribes with
 * backoff when the consumer fails; `drain()` stops it without losing anything.
 */
export class BindingRunner {
  readonly state: BatchState<Msg>;
  private readonly filter: RecordFilter;
  private readonly dlq: DeadLetterPublisher | undefined;
  private readonly counts: BindingCounts;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly maxBuffered: number;
  private readonly consumerName: string;
  private consumer: RelayConsumer | undefined;
  private readonly readAbort = new AbortController();
  /** Aborts invocations and dead-letter retries once the drain timeout is over. */
  private readonly hardStop = new AbortController();
  private readonly tasks = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private spaceWaiter: (() => void) | undefined;
  private pumpScheduled = false;
  private reader: Promise<void> | undefined;
  private stopping = false;
  private stopped = false;
  private subscribed = false;
  readonly health: BindingHealth;
  private readonly unregister: Array<() => void> = [];

  constructor(
    readonly binding: BindingConfig,
    private readonly deps: BindingRunnerDeps,
  ) {
    const b = binding;
    this.now = deps.now ?? Date.now;
    this.counts = deps.metrics.counts(b.name);
    this.log = deps.logger.child({ binding: b.name, topic: b.topic, subscription: b.subscription.name });
    this.health = new BindingHealth(this.log, this.now, b.topic, SUBSCRIBE_RETRY_MAX_MS);
    this.filter = compileFilter(b.filter);
    this.maxBuffered = b.maxBufferedRecords ?? Math.max(100, b.batchSize * (b.maxConcurrency + 1));
    // Exclusive and failover subscriptions stay bound to their first consumer name (a restarted
    // relay must take that consumer over, so the name is stable); on shared and key-shared ones a
    // shared name would make relays steal each other's stream, so each process gets its own.
    this.consumerName = fixedConsumerName(b) ?? `${b.name}-${Math.random().toString(16).slice(2, 10)}`;
    this.state = new BatchState<Msg>(batchStateOptionsFor(b));
    this.dlq = b.deadLetterTopic ? new DeadLetterPublisher(deps.client, b.deadLetterTopic, `${this.consumerName}-dlq`, this.log) : undefined;
    this.unregister.push(
      deps.metrics.gauges(b.name, () => {
        const t = this.state.oldestPublishTime();
        return {
          inFlight: this.state.inFlightRecords,
          buffered: this.state.pendingCount,
          stuck: this.state.stuckCount,
          up: this.subscribed ? 1 : 0,
          oldestUnackedAgeSeconds: t === undefined ? 0 : Math.max(0, (this.now() - t) / 1000),
        };
      }),
    );
  }

  /** Subscribes (waiting for the first attempt only) and starts reading; not while the function cannot be invoked at all. */
  async start(): Promise<void> {
    if (this.health.unavailable) return;
    const first = this.subscribe().catch(() => undefined);
    this.reader = this.readLoop(first);
    await first;
  }

  private async subscribe(): Promise<void> {
    const b = this.binding;
    try {
      this.consumer = await this.deps.client.subscribe({
        topic: b.topic,
        subscription: b.subscription.name,
        consumerName: this.consumerName,
        type: b.subscription.type,
        ...(b.subscription.keyFilters ? { keyFilters: b.subscription.keyFilters } : {}),
        bufferSize: Math.min(1000, Math.max(10, b.batchSize)),
        dispatch: b.subscription.dispatch,
      });
      this.subscribed = true;
      this.health.subscribed();
      this.log.info({ consumer: this.consumerName }, 'binding subscribed');
    } catch (err) {
      this.subscribed = false;
      this.health.subscribeFailed(err);
      throw err;
    }
  }

  private async readLoop(first: Promise<unknown>): Promise<void> {
    await first;
    let failures = 0;
    while (!this.stopping) {
      if (!this.consumer) {
        try {
          await sleep(backoffDelay(++failures, this.health.backoff), this.readAbort.signal);
          await this.subscribe();
          if (!this.health.refused) failures = 0;
        } catch {
          /* logged by subscribe, or stopping */
        }
        continue;
      }
      if (this.state.pendingCount >= this.maxBuffered) {
        await new Promise<void>((resolve) => (this.spaceWaiter = resolve));
        continue;
      }
      let msg: Msg | undefined;
      try {
        msg = await this.consumer.receive({ signal: this.readAbort.signal });
      } catch (err) {
        if (this.stopping) break;
        this.subscribed = false;
        this.health.consumerFailed(err);
        const old = this.consumer;
        this.consumer = undefined;
        await old.close().catch(() => undefined);
        continue;
      }
      if (msg) {
        this.health.received();
        this.onMessage(msg);
      }
    }
  }

  private onMessage(msg: Msg): void {
    const c = this.counts;
    const kind = this.state.classify(msg);
    if (kind === 'in-flight-duplicate') {
      c.redeliveriesIgnored++;
      this.log.debug({ offset: msg.offset, partition: msg.topic }, 'redelivery of a record in flight ignored');
      return;
    }
    if (kind === 'settled-duplicate') {
      // Its ack lost the race with the broker's ack timeout: ack again, do not invoke again.
      c.redeliveriesIgnored++;
      this.track(this.ack(msg));
      return;
    }
    c.received++;
    if (!this.filter(msg)) {
      c.filtered++;
      this.state.remember(msg);
      this.track(this.ack(msg));
      return;
    }
    this.state.add(msg, this.now());
    this.pump();
  }

  /** Runs {@link pumpNow} once per event-loop turn, however many messages and acks arrived in it. */
  private pump(): void {
    if (this.pumpScheduled || this.stopping) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pumpNow();
    });
  }

  /** Starts every batch that is due, dead-letters what must be, and arms the timer for the next. */
  private pumpNow(): void {
    if (this.stopping) return;
    const now = this.now();
    for (const d of this.state.takeDeadLetters(now)) this.track(this.deadLetter(d.record, d));
    for (let batch = this.state.nextBatch(now); batch; batch = this.state.nextBatch(now)) this.track(this.run(batch));
    const wake = this.state.nextWakeAt(now);
    if (wake !== undefined && wake < this.timerAt) {
      if (this.timer) clearTimeout(this.timer);
      this.timerAt = wake;
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.timerAt = Infinity;
          this.pump();
        },
        Math.max(0, wake - now),
      );
    }
    if (this.spaceWaiter && this.state.pendingCount < this.maxBuffered) {
      const wakeReader = this.spaceWaiter;
      this.spaceWaiter = undefined;
      wakeReader();
    }
  }

  private track(task: Promise<void>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  private async run(batch: Batch<Msg>): Promise<void> {
    const first = batch.records[0]!.msg;
    // A traced batch's lines carry its trace ids: the relay makes no context active for the mixin.
    const trace = tracingRegistered() ? await startBatchTrace(batch.records, this.binding, batch.startedAt).catch(() => undefined) : undefined;
    const fields = { batch: batch.id, partition: first.topic, firstOffset: first.offset.toString(), records: batch.records.length };
    const log = this.log.child(trace ? { ...fields, ...trace.logFields } : fields);
    let outcome: BatchOutcome;
    try {
      outcome = await invokeBatch(batch.records, {
        binding: this.binding,
        invoker: this.deps.invoker,
        transforms: this.deps.transforms ?? [],
        metrics: this.deps.metrics,
        signal: this.hardStop.signal,
        now: this.now,
        log,
        trace,
        onUnreachable: (message) => this.health.sinkUnavailable(`function unreachable: ${message}`),
      });
    } catch (err) {
      // Never leave a batch without an outcome: its lane would stay blocked.
      outcome = { type: 'failure', error: `relay error: ${(err as Error)?.message ?? String(err)}` };
    }
    this.settle(batch, outcome, log, trace);
  }

  private settle(batch: Batch<Msg>, outcome: BatchOutcome, log: Logger, trace?: BatchTrace): void {
    const c = this.counts;
    const s = this.state.complete(batch.id, outcome, this.now());
    if (s.badResponse) addByReason(c.invocationFailures, 'bad-response');
    c.succeeded += s.ack.length;
    c.failed += s.failed.length;
    c.retried += s.retried.length;
    if (outcome.type !== 'success') {
      const report = failedBatchReport(outcome, s);
      log[report.level](report.fields, report.message);
      this.health.batchFailed(report.problem);
    } else {
      this.health.functionWorks();
      log.debug({ lastOffset: batch.records[batch.records.length - 1]!.msg.offset.toString() }, 'batch succeeded');
    }
    this.pump();
    for (const r of s.ack) {
      const acked = this.ackMessage(r.msg, r.id);
      this.track(acked);
      trace?.ack(acked);
    }
    for (const d of s.deadLetter) this.track(this.deadLetter(d.record, d, trace));
    trace?.settled(outcome, { acked: s.ack.length, retried: s.retried.length, deadLettered: s.deadLetter.length });
  }

  private async deadLetter(record: TrackedRecord<Msg>, why: RelayDeadLetter, trace?: BatchTrace): Promise<void> {
    const b = this.binding;
    const { reason, error } = why;
    try {
      await tracedDeadLetter(trace, record, b.deadLetterTopic!, why, b, () =>
        this.dlq!.publish(record.msg, relayEnvelope(record, why, b.name, this.now()), this.hardStop.signal),
      );
    } catch (err) {
      // Only on hard stop: leave it unacked, the broker redelivers it.
      this.log.warn({ partition: record.msg.topic, offset: record.msg.offset, err: (err as Error).message }, 'dead-letter publish abandoned at shutdown');
      this.state.forget(record.id);
      return;
    }
    addByReason(this.counts.deadLettered, reason);
    this.log.warn(
      { partition: record.msg.topic, offset: record.msg.offset, reason, attempts: record.attempts, error, dlq: b.deadLetterTopic },
      'record dead-lettered',
    );
    await this.ackMessage(record.msg, record.id);
  }

  /** Acks a batched record, then forgets it (remembering it for late redeliveries). */
  private async ackMessage(msg: Msg, id: string): Promise<void> {
    await this.ack(msg);
    // Remembered either way: a redelivery after a lost ack is acked again, not invoked again.
    this.state.settled(id);
    this.pump();
  }

  private async ack(msg: Msg): Promise<void> {
    try {
      if (!this.consumer) throw new Error('not subscribed');
      await this.consumer.ack(msg);
    } catch (err) {
      this.counts.ackFailures++;
      this.log.warn(
        { partition: msg.topic, offset: msg.offset, err: (err as Error).message },
        'ack failed; the broker will redeliver and the relay will ack again',
      );
    }
  }

  /**
   * Stops taking messages, gives back what waits (unacked: the broker redelivers it), lets batches
   * in flight finish and acks what succeeded; after `timeoutMs` aborts the rest (given back too).
   */
  async drain(timeoutMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopping = true;
    this.readAbort.abort();
    this.spaceWaiter?.();
    if (this.timer) clearTimeout(this.timer);
    const released = this.state.releasePending();
    const inFlight = this.state.inFlightBatches;
    this.log.info({ givenBack: released.length, inFlightBatches: inFlight }, 'draining');
    const hard = setTimeout(() => this.hardStop.abort(new Error('drain timeout')), timeoutMs);
    try {
      while (this.tasks.size) await Promise.allSettled([...this.tasks]);
    } finally {
      clearTimeout(hard);
    }
    const late = this.state.releasePending();
    await this.reader;
    await this.consumer?.close().catch(() => undefined);
    this.subscribed = false;
    await this.dlq?.close();
    for (const u of this.unregister) u();
    this.stopped = true;
    this.log.info({ givenBack: released.length + late.length }, 'binding stopped');
  }

  /** Closes the binding's invoker (after `drain`). */
  async closeInvoker(): Promise<void> {
    await this.deps.invoker.close().catch(() => undefined);
  }

  status(): BindingStatus {
    return bindingStatus(this.snapshot(), this.deps.metrics, this.now());
  }

  /** The binding's state as data (see `BindingSnapshot`). */
  snapshot(): BindingSnapshot {
    const b = this.binding;
    const snapshot: BindingSnapshot = {
      name: b.name,
      topic: b.topic,
      subscription: b.subscription.name,
      function: b.function.type,
      subscribed: this.subscribed,
      // Subscribed and, when the consumer can tell, every partition's receive stream open: false
      // while the consumer resubscribes by itself after a broker outage.
      attached: this.subscribed && (this.consumer?.state?.().attached ?? true),
      topicMissing: this.health.topicMissing,
      stopping: this.stopping,
      buffered: this.state.pendingCount,
      inFlightBatches: this.state.inFlightBatches,
      inFlightRecords: this.state.inFlightRecords,
      stuck: this.state.stuckCount,
    };
    const oldest = this.state.oldestPublishTime();
    if (oldest !== undefined) snapshot.oldestPublishTime = oldest;
    const problem = this.health.last;
    if (problem) snapshot.problem = problem;
    return snapshot;
  }
}
