import { describe, expect, it } from 'vitest';
import { BatchState, type BatchStateOptions } from '../../../src/relay/batch-state.js';
import type { RelayMessage } from '../../../src/relay/tracked-record.js';

const enc = new TextEncoder();
function msg(offset: number, opts: { topic?: string; key?: string; size?: number; publishTime?: number } = {}): RelayMessage {
  return {
    topic: opts.topic ?? '/default/t-part-0',
    offset: BigInt(offset),
    payload: opts.size ? new Uint8Array(opts.size) : enc.encode(`m${offset}`),
    publishTime: opts.publishTime ?? 1000,
    routingKey: opts.key,
    attributes: {},
  };
}

function state(over: Partial<BatchStateOptions> = {}): BatchState {
  return new BatchState({
    batchSize: 3,
    maxBatchBytes: 1_000_000,
    maxEventBytes: 6_000_000,
    maxBatchingWindowMs: 100,
    maxConcurrency: 1,
    ordering: 'partition',
    maxRetryAttempts: 2,
    bisectOnError: false,
    hasDeadLetterTopic: true,
    maxRecordAgeMs: -1,
    backoff: (n) => 10 * n,
    ...over,
  });
}

const offsets = (rs: { msg: RelayMessage }[]) => rs.map((r) => Number(r.msg.offset));

describe('BatchState: cutting batches', () => {
  it('cuts a full batch at once and a partial one only when the window ends', () => {
    const s = state();
    for (let i = 0; i < 4; i++) s.offer(msg(i), 0);
    const b1 = s.nextBatch(0)!;
    expect(offsets(b1.records)).toEqual([0, 1, 2]);
    s.complete(b1.id, { type: 'success' }, 1);
    expect(s.nextBatch(50)).toBeUndefined();
    expect(s.nextWakeAt(50)).toBe(100);
    expect(offsets(s.nextBatch(100)!.records)).toEqual([3]);
  });

  it('cuts by bytes', () => {
    const s = state({ maxBatchBytes: 250, batchSize: 10 });
    for (let i = 0; i < 3; i++) s.offer(msg(i, { size: 100 }), 0);
    expect(offsets(s.nextBatch(0)!.records)).toEqual([0, 1]);
  });

  it('does not wait for the window once the broker window is exhausted', () => {
    const s = state({ batchSize: 100, brokerWindow: 2 });
    s.offer(msg(0), 0);
    expect(s.nextBatch(0)).toBeUndefined();
    s.offer(msg(1), 0);
    expect(offsets(s.nextBatch(0)!.records)).toEqual([0, 1]);
  });

  it('keeps one batch per partition in flight; other partitions go concurrently', () => {
    const s = state({ maxConcurrency: 4, batchSize: 2 });
    s.offer(msg(0), 0);
    s.offer(msg(1), 0);
    s.offer(msg(2), 0);
    s.offer(msg(0, { topic: '/default/t-part-1' }), 0);
    const a = s.nextBatch(200)!;
    const b = s.nextBatch(200)!;
    expect(offsets(a.records)).toEqual([0, 1]);
    expect(b.records.map((r) => r.msg.topic)).toEqual(['/default/t-part-1']);
    expect(s.nextBatch(200)).toBeUndefined(); // offset 2 waits for its partition
  });

  it('with key ordering, different keys of one partition run concurrently, one key never does', () => {
    const s = state({ maxConcurrency: 4, batchSize: 1, ordering: 'key' });
    s.offer(msg(0, { key: 'a' }), 0);
    s.offer(msg(1, { key: 'a' }), 0);
    s.offer(msg(2, { key: 'b' }), 0);
    expect(offsets(s.nextBatch(200)!.records)).toEqual([0]);
    expect(offsets(s.nextBatch(200)!.records)).toEqual([2]);
    expect(s.nextBatch(200)).toBeUndefined();
  });

  it('with no ordering, fills up to maxConcurrency from one partition', () => {
    const s = state({ maxConcurrency: 2, batchSize: 1, ordering: 'none' });
    for (let i = 0; i < 3; i++) s.offer(msg(i), 0);
    expect(s.nextBatch(200)).toBeDefined();
    expect(s.nextBatch(200)).toBeDefined();
    expect(s.nextBatch(200)).toBeUndefined();
  });
});

describe('BatchState: settling', () => {
  it('acks everything on success and recognises redeliveries', () => {
    const s = state();
    s.offer(msg(0), 0);
    expect(s.offer(msg(0), 0)).toBe('in-flight-duplicate');
    const b = s.nextBatch(0, true)!;
    expect(s.offer(msg(0), 0)).toBe('in-flight-duplicate');
    const r = s.complete(b.id, { type: 'success' }, 0);
    expect(offsets(r.ack)).toEqual([0]);
    r.ack.forEach((x) => s.settled(x.id));
    expect(s.offer(msg(0), 0)).toBe('settled-duplicate');
    expect(s.heldCount).toBe(0);
  });

  it('tells a redelivery from another message at the same offset (non-reliable topics use offset 0)', () => {
    const s = state({ ordering: 'none' });
    const a = { ...msg(0), producerName: 'p', requestId: 1n, publishTime: 5 };
    const b = { ...msg(0), producerName: 'p', requestId: 2n, publishTime: 6 };
    expect(s.offer(a, 0)).toBe('new');
    expect(s.offer({ ...a }, 0)).toBe('in-flight-duplicate');
    expect(s.offer(b, 0)).toBe('new');
    const batch = s.nextBatch(0, true)!;
    expect(batch.records.map((r) => r.id)).toEqual(['/default/t-part-0@0', '/default/t-part-0@0#1']);
    const r = s.complete(batch.id, { type: 'success' }, 0);
    r.ack.forEach((x) => s.settled(x.id));
    expect(s.offer({ ...a }, 0)).toBe('settled-duplicate');
    expect(s.offer({ ...msg(0), producerName: 'p', requestId: 3n, publishTime: 7 }, 0)).toBe('new');
  });

  it('partial failure, unordered: acks the others and retries only the failed one', () => {
    const s = state({ ordering: 'none' });
    for (let i = 0; i < 3; i++) s.offer(msg(i), 0);
    const b = s.nextBatch(0)!;
    const r = s.complete(b.id, { type: 'partial', failedIds: ['/default/t-part-0@1'] }, 0);
    expect(offsets(r.ack)).toEqual([0, 2]);
    expect(offsets(r.retried)).toEqual([1]);
    expect(s.nextBatch(5)).toBeUndefined(); // backoff 10 ms
    const again = s.nextBatch(10)!;
    expect(offsets(again.records)).toEqual([1]);
    expect(again.records[0]!.attempts).toBe(2);
  });

  it('partial failure, ordered: acks only before the lowest failed offset and retries from it', () => {
    const s = state();
    for (let i = 0; i < 3; i++) s.offer(msg(i), 0);
    s.offer(msg(3), 0);
    const b = s.nextBatch(0)!;
    const r = s.complete(b.id, { type: 'partial', failedIds: ['/default/t-part-0@1'] }, 0);
    expect(offsets(r.ack)).toEqual([0]);
    expect(offsets(r.retried)).toEqual([1, 2]);
    expect(offsets(s.nextBatch(10)!.records)).toEqual([1, 2, 3]);
  });

  it('an unknown id in batchItemFailures fails the whole batch', () => {
    const s = state();
    s.offer(msg(0), 0);
    const b = s.nextBatch(0, true)!;
    const r = s.complete(b.id, { type: 'partial', failedIds: ['nope'] }, 0);
    expect(r.badResponse).toMatch(/not in the batch/);
    expect(r.ack).toEqual([]);
    expect(offsets(r.retried)).toEqual([0]);
  });

  it('whole failure: retries with backoff, then dead-letters after maxRetryAttempts', () => {
    const s = state({ maxRetryAttempts: 2 });
    s.offer(msg(0), 0);
    let now = 0;
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const b = s.nextBatch(now, true)!;
      const r = s.complete(b.id, { type: 'failure', error: 'boom' }, now);
      if (i < 2) {
        delays.push(r.retried[0]!.notBefore - now);
        now = r.retried[0]!.notBefore;
      } else {
        expect(r.deadLetter.map((d) => [d.reason, d.error])).toEqual([['retries-exhausted', 'boom']]);
        expect(r.deadLetter[0]!.record.attempts).toBe(3);
      }
    }
    expect(delays).toEqual([10, 20]);
  });

  it('without a dead-letter topic keeps retrying and reports the record stuck', () => {
    const s = state({ maxRetryAttempts: 0, hasDeadLetterTopic: false });
    s.offer(msg(0), 0);
    const b = s.nextBatch(0, true)!;
    const r = s.complete(b.id, { type: 'failure', error: 'boom' }, 0);
    expect(r.deadLetter).toEqual([]);
    expect(r.retried).toHaveLength(1);
    expect(s.stuckCount).toBe(1);
  });

  it('throttling retries without using up the budget', () => {
    const s = state({ maxRetryAttempts: 0 });
    s.offer(msg(0), 0);
    const b = s.nextBatch(0, true)!;
    const r = s.complete(b.id, { type: 'failure', error: '429', throttled: true, retryAfterMs: 50 }, 0);
    expect(r.deadLetter).toEqual([]);
    expect(r.retried[0]!.notBefore).toBe(50);
  });

  it('bisect isolates a poison record: only it is dead-lettered', () => {
    const s = state({ batchSize: 8, bisectOnError: true, maxRetryAttempts: 1, ordering: 'none' });
    for (let i = 0; i < 8; i++) s.offer(msg(i), 0);
    const poison = '/default/t-part-0@5';
    const acked: number[] = [];
    const dead: number[] = [];
    let now = 0;
    for (let guard = 0; guard < 50 && acked.length + dead.length < 8; guard++) {
      const b = s.nextBatch(now, true);
      if (!b) {
        now += 100;
        continue;
      }
      const hasPoison = b.records.some((r) => r.id === poison);
      const r = s.complete(b.id, hasPoison ? { type: 'failure', error: 'poison' } : { type: 'success' }, now);
      acked.push(...offsets(r.ack));
      dead.push(...r.deadLetter.map((d) => Number(d.record.msg.offset)));
    }
    expect(dead).toEqual([5]);
    expect(acked.sort()).toEqual([0, 1, 2, 3, 4, 6, 7]);
  });

  it('an invalid record named by the function is dead-lettered at once; the rest go again', () => {
    const s = state();
    s.offer(msg(0), 0);
    s.offer(msg(1), 0);
    const b = s.nextBatch(0, true)!;
    const r = s.complete(b.id, { type: 'failure', error: 'bad', invalidRecordId: '/default/t-part-0@1' }, 0);
    expect(r.deadLetter.map((d) => d.reason)).toEqual(['invalid-record']);
    expect(offsets(r.retried)).toEqual([0]);
    expect(r.retried[0]!.retries).toBe(0);
  });

  it('dead-letters records older than maxRecordAge and records too large to send', () => {
    const s = state({ maxRecordAgeMs: 1000, maxBatchBytes: 50 });
    s.offer(msg(0, { publishTime: 0 }), 0);
    s.offer(msg(1, { publishTime: 5000 }), 0);
    s.offer(msg(2, { publishTime: 5000, size: 60 }), 0);
    const out = s.takeDeadLetters(5500);
    expect(out.map((d) => [Number(d.record.msg.offset), d.reason])).toEqual([
      [0, 'max-record-age'],
      [2, 'too-large'],
    ]);
    expect(offsets(s.nextBatch(5500, true)!.records)).toEqual([1]);
  });

  it('tracks the oldest unacked record and forgets pending records on release', () => {
    const s = state();
    s.offer(msg(0, { publishTime: 10 }), 0);
    s.offer(msg(1, { publishTime: 5 }), 0);
    expect(s.oldestPublishTime()).toBe(5);
    expect(s.releasePending()).toHaveLength(2);
    expect(s.heldCount).toBe(0);
    expect(s.offer(msg(0), 0)).toBe('new');
  });
});
