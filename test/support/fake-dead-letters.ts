// An in-memory dead-letter topic behind the `DeadLetterTopic` contract, for tests of what reads
// it (the console): records kept in an array, a redrive hands each selected one to `deliver`.
import type { DeadLetterReason } from '../../src/core/dead-letter.js';
import type { DeadLetterFilter, DeadLetterRecord, DeadLetterSummary, DeadLetterTopic, RedriveOptions, RedriveSummary } from '../../src/dlq/types.js';

export function fakeDeadLetter(topic: string, offset: number, reason: DeadLetterReason, origin: string, payload: string): DeadLetterRecord {
  const bytes = new TextEncoder().encode(payload);
  return {
    id: `${topic}@${offset}`,
    topic,
    offset: BigInt(offset),
    publishTime: 1_700_000_000_000 + offset,
    envelope: {
      reason,
      error: 'not an order',
      errorClass: 'InvalidRecordError',
      origin,
      attempts: 1,
      firstFailureAt: 1_700_000_000_000,
      lastFailureAt: 1_700_000_000_000 + offset,
      originalTopic: '/default/orders',
      originalOffset: BigInt(offset * 10),
    },
    attributes: { 'order-id': `order-${offset}` },
    key: `customer-${offset}`,
    payload: bytes,
    preview: { kind: 'text', text: payload, truncated: false, bytes: bytes.length },
  };
}

function matches(r: DeadLetterRecord, f: DeadLetterFilter): boolean {
  if (f.reasons && !f.reasons.includes(r.envelope.reason)) return false;
  if (f.origin && r.envelope.origin !== f.origin && !r.envelope.origin.startsWith(`${f.origin}:`)) return false;
  if (f.ids && !f.ids.includes(r.id)) return false;
  return true;
}

/** `deliver` is where redriven records go (the test's stand-in for the original topic). */
export function fakeDeadLetterTopic(
  topic: string,
  records: DeadLetterRecord[],
  deliver: (r: DeadLetterRecord) => Promise<void>,
): DeadLetterTopic & { closed: boolean } {
  const dlq = {
    topic,
    closed: false,
    async summary(filter: DeadLetterFilter = {}): Promise<DeadLetterSummary> {
      const found = records.filter((r) => matches(r, filter));
      const byReason: DeadLetterSummary['byReason'] = {};
      const byOrigin: Record<string, number> = {};
      for (const r of found) {
        byReason[r.envelope.reason] = (byReason[r.envelope.reason] ?? 0) + 1;
        byOrigin[r.envelope.origin] = (byOrigin[r.envelope.origin] ?? 0) + 1;
      }
      return { topic, total: found.length, byReason, byOrigin };
    },
    async list(filter: DeadLetterFilter = {}, options: { limit?: number } = {}) {
      return records.filter((r) => matches(r, filter)).slice(0, options.limit ?? 100);
    },
    async redrive(filter: DeadLetterFilter, options: RedriveOptions = {}): Promise<RedriveSummary> {
      const started = Date.now();
      const chosen = records.filter((r) => matches(r, filter));
      const progress = { matched: 0, sent: 0, failed: 0 };
      for (const r of chosen) {
        progress.matched++;
        if (!options.dryRun) {
          await deliver(r);
          records.splice(records.indexOf(r), 1);
        }
        progress.sent++;
        options.onProgress?.({ ...progress });
      }
      return { ...progress, dryRun: options.dryRun ?? false, destinations: { '/default/orders': progress.sent }, durationMs: Date.now() - started };
    },
    async close() {
      dlq.closed = true;
    },
  };
  return dlq;
}
