import { classifyError } from '../core/classify.js';
import { deadLetterAttributes, deadLetterOrigin, deadLetterReasonOf, type DeadLetterEnvelope } from '../core/dead-letter.js';
import { FatalError, InvalidRecordError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { backoff, sleep } from '../core/retry.js';
import type { SourceRecord } from '../core/source-record.js';
import type { Source } from './define-source.js';
import { RECORD_ID_ATTRIBUTE, recordIdFor } from './record-id.js';
import { TRACEPARENT_ATTRIBUTE, type TraceContextFields } from '../core/trace-context.js';
import { startPublishTrace, type SourceRunTrace } from './tracing.js';

/** The part of a Danube `Producer` a source run uses. */
export interface SourceProducer {
  send(payload: Uint8Array | string, options?: { attributes?: Record<string, string>; key?: string }): Promise<unknown>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The part of `DanubeClient` a source run uses; a `DanubeClient` is one. */
export interface SourceClient {
  createProducer(options: {
    topic: string;
    name: string;
    partitions?: number;
    dispatch?: 'reliable' | 'non-reliable';
    mode?: 'ordered' | 'pipelined';
  }): Promise<SourceProducer>;
}

/** What publishing one batch did. */
export interface PublishOutcome {
  published: number;
  deadLettered: number;
  retries: number;
}

interface Prepared {
  record: SourceRecord;
  id: string;
  topic?: string;
  invalid?: Error;
  /** The creation context the record is sent with, when the batch is traced. */
  trace?: TraceContextFields;
}

// Failures that can never succeed for this one record (malformed, too large): dead-letter it, keep going.
const isInvalid = (err: unknown): boolean => classifyError(err).kind === 'invalid';

/**
 * Publishes the batches of one source run: one producer per topic (ordered when the source keeps
 * order, pipelined otherwise), stable record ids, dead-lettering of invalid records, and retries
 * of retryable send failures. `publish` resolves only when the broker accepted every record.
 */
export class BatchPublisher {
  private readonly producers = new Map<string, Promise<SourceProducer>>();

  constructor(
    private readonly source: Source<unknown>,
    private readonly client: SourceClient,
    private readonly logger: Logger,
    /** Set when the run is traced: each batch gets a `publish` span. */
    private readonly trace?: SourceRunTrace,
  ) {}

  /**
   * Sends `records` (polled from `checkpoint`) and waits until all were accepted.
   * @throws the last send error when retries are exhausted or the failure is fatal.
   */
  async publish(records: SourceRecord[], checkpoint: unknown, signal?: AbortSignal): Promise<PublishOutcome> {
    const prepared = records.map((record, index) => this.prepare(record, checkpoint, index));
    const trace = startPublishTrace(
      this.trace,
      this.source.name,
      new Set(prepared.flatMap((p) => (p.topic ? [p.topic] : []))),
      prepared.map((p) => p.record),
    );
    if (!trace) return this.publishPrepared(prepared, signal);
    // A record that carries its own creation context keeps it (the span links to it).
    for (const p of prepared) if (p.record.attributes?.[TRACEPARENT_ATTRIBUTE] === undefined) p.trace = trace.fields;
    try {
      const outcome = await this.publishPrepared(prepared, signal);
      trace.end(outcome);
      return outcome;
    } catch (err) {
      trace.end(undefined, err);
      throw err;
    }
  }

  private async publishPrepared(prepared: Prepared[], signal: AbortSignal | undefined): Promise<PublishOutcome> {
    const invalid = prepared.filter((p) => p.invalid);
    let pending = prepared.filter((p) => !p.invalid);
    let retries = 0;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const results = await Promise.allSettled(this.sendAll(pending));
      const failedAt: number[] = [];
      let lastError: unknown;
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') return;
        if (isInvalid(r.reason)) pending[i]!.invalid = r.reason as Error;
        else {
          failedAt.push(i);
          lastError = r.reason;
        }
      });
      invalid.push(...pending.filter((p) => p.invalid));
      if (failedAt.length === 0) break;
      const kind = classifyError(lastError);
      if (!kind.retryable || attempt >= this.source.retry.maxAttempts) throw lastError;
      // `none` and `key` resend just what failed (with `key`, a key's later records were held
      // back behind its failed one, so they "failed" too). `partition` resends everything from the
      // first failure on, since the producer may have written later records of that partition;
      // those become duplicates with the same id.
      pending = this.source.ordering === 'partition' ? pending.slice(failedAt[0]).filter((p) => !p.invalid) : failedAt.map((i) => pending[i]!);
      const delayMs = backoff(attempt, this.source.retry);
      this.logger.warn({ err: lastError, failed: failedAt.length, attempt, delayMs }, 'publish failed, retrying');
      retries++;
      await sleep(delayMs, signal);
    }
    await Promise.all([...this.producers.values()].map(async (p) => (await p).flush()));
    if (invalid.length > 0) await this.deadLetter(invalid);
    return { published: prepared.length - invalid.length, deadLettered: invalid.length, retries };
  }

  /** Flushes and closes every producer this publisher opened; safe to call twice. */
  async close(): Promise<void> {
    const producers = [...this.producers.values()];
    this.producers.clear();
    await Promise.allSettled(producers.map(async (p) => (await p).close()));
  }

  private prepare(record: SourceRecord, checkpoint: unknown, index: number): Prepared {
    const id = recordIdFor(record, this.source.name, checkpoint, index);
    const prepared: Prepared = { record, id };
    if (!(record?.payload instanceof Uint8Array) && typeof record?.payload !== 'string') {
      throw new FatalError(`source ${this.source.name}: record ${index} of the poll has no payload (Uint8Array or string)`);
    }
    try {
      const topic = record.topic ?? (this.source.route ? this.source.route(record) : this.source.topic);
      if (!topic) throw new InvalidRecordError('route returned no topic', { record });
      prepared.topic = topic;
    } catch (err) {
      if (!isInvalid(err)) throw err;
      prepared.invalid = err as Error;
    }
    return prepared;
  }

  /**
   * Starts every send. `key` ordering chains the sends of each key (on a pipelined producer), so
   * a key's records are written in order while different keys go in parallel; once a send of a
   * key fails (other than as invalid), that key's later records are not sent and fail with the same error.
   */
  private sendAll(pending: Prepared[]): Promise<void>[] {
    if (this.source.ordering !== 'key') return pending.map((p) => this.send(p));
    const chains = new Map<string, Promise<void>>();
    return pending.map((p) => {
      const chainKey = `${p.topic}\u0000${p.record.key ?? ''}`;
      const previous = chains.get(chainKey) ?? Promise.resolve();
      // A record refused as invalid is dead-lettered, not retried: the key's later records go on
      // (they must not inherit its error, which would dead-letter them too).
      const sent = previous.then(
        () => this.send(p),
        (err: unknown) => {
          if (isInvalid(err)) return this.send(p);
          throw err;
        },
      );
      chains.set(chainKey, sent);
      return sent;
    });
  }

  private async send(p: Prepared): Promise<void> {
    const producer = await this.producer(p.topic!, this.source.ordering === 'partition' ? 'ordered' : 'pipelined');
    const options: { attributes: Record<string, string>; key?: string } = {
      attributes: { ...p.record.attributes, [RECORD_ID_ATTRIBUTE]: p.id, ...p.trace },
    };
    if (p.record.key !== undefined) options.key = p.record.key;
    await producer.send(p.record.payload, options);
  }

  private producer(topic: string, mode: 'ordered' | 'pipelined', name = producerName(this.source.name, topic)): Promise<SourceProducer> {
    let producer = this.producers.get(topic);
    if (!producer) {
      producer = this.client.createProducer({
        topic,
        name,
        mode,
        dispatch: this.source.dispatch,
        ...(this.source.partitions !== undefined && topic !== this.source.deadLetterTopic ? { partitions: this.source.partitions } : {}),
      });
      this.producers.set(topic, producer);
      // A failed create is retried with the next send, not cached.
      producer.catch(() => this.producers.get(topic) === producer && this.producers.delete(topic));
    }
    return producer;
  }

  private async deadLetter(invalid: Prepared[]): Promise<void> {
    const dlq = this.source.deadLetterTopic;
    if (!dlq) {
      const first = invalid[0]!;
      throw new FatalError(`source ${this.source.name}: record ${first.id} is invalid (${first.invalid?.message}) and the source has no deadLetterTopic`, {
        cause: first.invalid,
      });
    }
    const producer = await this.producer(dlq, 'pipelined', `${this.source.name}-dlq`);
    const now = Date.now();
    await Promise.all(
      invalid.map((p) => {
        const envelope: DeadLetterEnvelope = {
          reason: deadLetterReasonOf(p.invalid),
          error: p.invalid?.message ?? 'invalid record',
          errorClass: p.invalid?.name ?? 'Error',
          origin: deadLetterOrigin('source', this.source.name),
          attempts: 1,
          firstFailureAt: now,
          lastFailureAt: now,
          // A record refused before it had a topic (its route threw) names no topic.
          originalTopic: p.topic ?? '',
          originalRecordId: p.id,
        };
        if (p.record.key !== undefined) envelope.originalKey = p.record.key;
        return producer.send(p.record.payload, {
          attributes: deadLetterAttributes({ ...p.record.attributes, [RECORD_ID_ATTRIBUTE]: p.id, ...p.trace }, envelope),
          ...(p.record.key !== undefined ? { key: p.record.key } : {}),
        });
      }),
    );
    await producer.flush();
    this.logger.warn({ count: invalid.length, deadLetterTopic: dlq, ids: invalid.map((p) => p.id).slice(0, 10) }, 'records dead-lettered');
  }
}

/** The producer name of a source on a topic, as danube-connect-core names it: `<source>-<topic with / as ->`. */
export function producerName(source: string, topic: string): string {
  return `${source}-${topic.replace(/\//g, '-')}`;
}
