// Redrive: each selected dead letter goes back to where it was going (or elsewhere), and only
// once it is there is it acked on the inspection subscription. A crash between the two leaves it
// unacked, so the next run sends it again (with the same record id, which idempotent sinks drop):
// at least once, never lost. A rerun continues with what was not acked.
import { randomBytes } from 'node:crypto';
import { RECORD_ID_ATTRIBUTE } from '../core/attributes.js';
import { deadLetterAttributes, PRIOR_ATTEMPTS_ATTRIBUTE } from '../core/dead-letter.js';
import { GRPC_STATUS } from '../core/grpc-status.js';
import type { Logger } from '../core/logger.js';
import { sleep } from '../core/retry.js';
import { matchesFilter } from './record.js';
import type { DeadLetterClient, DeadLetterProducer, Session, SessionRecord } from './session.js';
import type { DeadLetterFilter, DeadLetterRecord, RedriveOptions, RedriveProgress, RedriveSummary } from './types.js';

/** Records handed to `invoke` per call. */
export const REDRIVE_INVOKE_BATCH = 10;

/**
 * Thrown by a redrive's `invoke` when only some records of the batch failed: those (by
 * {@link DeadLetterRecord.id}) go back to the dead-letter topic, the others count as sent.
 */
export class PartialRedriveFailure extends Error {
  override readonly name = 'PartialRedriveFailure';
  constructor(
    message: string,
    readonly failedIds: readonly string[],
  ) {
    super(message);
  }
}

/**
 * What a redriven record is sent as: its payload and own attributes, its original record id in
 * `x-danube-record-id`, the attempts made so far in `x-danube-prior-attempts` (so that failing
 * again adds up), its original key.
 *
 * @example
 * const { payload, attributes, key } = redriveMessage(record);
 */
export function redriveMessage(r: DeadLetterRecord): { payload: Uint8Array; attributes: Record<string, string>; key?: string } {
  const attributes = { ...r.attributes };
  const id = r.envelope.originalRecordId ?? attributes[RECORD_ID_ATTRIBUTE];
  if (id !== undefined) attributes[RECORD_ID_ATTRIBUTE] = id;
  attributes[PRIOR_ATTEMPTS_ATTRIBUTE] = String(r.envelope.attempts);
  return r.key ? { payload: r.payload, attributes, key: r.key } : { payload: r.payload, attributes };
}

export interface RedriveContext {
  client: DeadLetterClient;
  /** The dead-letter topic (records that fail again on a direct invocation go back there). */
  topic: string;
  logger: Logger;
  now?: () => number;
}

/** Runs one redrive over an open session (which the caller closes). */
export async function runRedrive(session: Session, filter: DeadLetterFilter, options: RedriveOptions, ctx: RedriveContext): Promise<RedriveSummary> {
  const now = ctx.now ?? Date.now;
  const started = now();
  const dryRun = options.dryRun ?? false;
  const progress: RedriveProgress = { matched: 0, sent: 0, failed: 0 };
  const destinations: Record<string, number> = {};
  const producers = new Producers(ctx.client, `danube-dlq-redrive-${randomBytes(4).toString('hex')}`);
  const sentIds = new Set<string>();
  const pace = pacer(options.ratePerSecond, now, options.signal);
  const invokeName = options.invoke ? `invoke:${options.invoke.name || 'function'}` : undefined;
  let batch: SessionRecord[] = [];
  const report = () => options.onProgress?.({ ...progress });

  const flushInvoke = async () => {
    if (!batch.length || !options.invoke) return;
    const records = batch;
    batch = [];
    let failedIds = new Set<string>();
    try {
      await options.invoke(
        records.map((s) => s.record),
        options.signal ?? new AbortController().signal,
      );
    } catch (err) {
      const partial = err instanceof PartialRedriveFailure ? err.failedIds : undefined;
      failedIds = new Set(partial ?? records.map((s) => s.record.id));
      const dlq = await producers.get(ctx.topic);
      for (const s of records.filter((x) => failedIds.has(x.record.id))) await sendBack(dlq, s.record, err, now());
      ctx.logger.warn({ records: failedIds.size, err: (err as Error)?.message }, 'redriven records failed again; back on the dead-letter topic');
    }
    for (const s of records) {
      if (failedIds.has(s.record.id)) progress.failed++;
      else {
        progress.sent++;
        destinations[invokeName!] = (destinations[invokeName!] ?? 0) + 1;
      }
      await session.ack(s.message);
    }
    report();
  };

  try {
    for await (const s of session.records(options.signal)) {
      const r = s.record;
      if (!matchesFilter(r, filter)) continue;
      // What was dead-lettered after the redrive began (or sent by it and back already) waits for the next one.
      if (r.publishTime >= started) continue;
      const originalId = r.envelope.originalRecordId ?? r.id;
      if (sentIds.has(originalId)) continue;
      progress.matched++;
      const destination = options.to ?? r.envelope.originalTopic;
      if (!options.invoke && !destination) {
        ctx.logger.warn({ id: r.id }, 'no original topic (refused before it had one): left on the dead-letter topic; redrive it with a destination topic');
        report();
        continue;
      }
      if (dryRun) {
        const where = invokeName ?? destination;
        destinations[where] = (destinations[where] ?? 0) + 1;
        progress.sent++;
        report();
        continue;
      }
      await pace();
      if (options.signal?.aborted) break;
      sentIds.add(originalId);
      if (options.invoke) {
        batch.push(s);
        if (batch.length >= REDRIVE_INVOKE_BATCH) await flushInvoke();
        continue;
      }
      const m = redriveMessage(r);
      const producer = await producers.get(destination);
      await producer.send(m.payload, { attributes: m.attributes, ...(m.key ? { key: m.key } : {}) });
      // Acked only once the broker has it: a crash before this line sends it again next time.
      await session.ack(s.message);
      progress.sent++;
      destinations[destination] = (destinations[destination] ?? 0) + 1;
      report();
    }
    await flushInvoke();
  } finally {
    await producers.close();
  }
  return { ...progress, dryRun, destinations, durationMs: now() - started };
}

/** A record that failed again on a direct invocation, back on the dead-letter topic with its attempts added up. */
async function sendBack(dlq: DeadLetterProducer, r: DeadLetterRecord, err: unknown, now: number): Promise<void> {
  const m = redriveMessage(r);
  const attributes = deadLetterAttributes(m.attributes, {
    ...r.envelope,
    error: (err as Error)?.message ?? String(err),
    errorClass: (err as Error)?.name ?? 'Error',
    attempts: 1,
    lastFailureAt: now,
  });
  await dlq.send(m.payload, { attributes, ...(m.key ? { key: m.key } : {}) });
}

/** Waits so that at most `rate` sends per second start. */
function pacer(rate: number | undefined, now: () => number, signal: AbortSignal | undefined): () => Promise<void> {
  if (!rate || rate <= 0) return async () => undefined;
  const gapMs = 1000 / rate;
  let next = 0;
  return async () => {
    const t = now();
    if (next > t) await sleep(next - t, signal).catch(() => undefined);
    next = Math.max(next, t) + gapMs;
  };
}

/** One producer per destination, reliable unless the topic is not (the broker refuses a mismatch). */
class Producers {
  private readonly open = new Map<string, Promise<DeadLetterProducer>>();

  constructor(
    private readonly client: DeadLetterClient,
    private readonly name: string,
  ) {}

  get(topic: string): Promise<DeadLetterProducer> {
    let p = this.open.get(topic);
    if (!p) {
      const name = `${this.name}-${this.open.size}`;
      p = this.client.createProducer({ topic, name, dispatch: 'reliable' }).catch((err: unknown) => {
        if ((err as { code?: unknown }).code !== GRPC_STATUS.FAILED_PRECONDITION) throw err;
        return this.client.createProducer({ topic, name, dispatch: 'non-reliable' });
      });
      p.catch(() => this.open.delete(topic));
      this.open.set(topic, p);
    }
    return p;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.open.values()].map((p) => p.then((x) => x.close())));
    this.open.clear();
  }
}
