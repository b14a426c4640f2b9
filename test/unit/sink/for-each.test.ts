import { describe, expect, it } from 'vitest';
import { FatalError, InvalidRecordError, RetryableError, type SinkRecord } from '../../../src/core/index.js';
import { defineSink, forEachRecord, runSink } from '../../../src/sink/index.js';
import { makeEvent } from './make-event.js';

const n = (r: SinkRecord) => r.json<{ n: number }>().n;
const failed = (outcome: Awaited<ReturnType<typeof runSink>>) => outcome.failures.map((f) => [Number(f.itemIdentifier.split('@')[1]) - 100, f.reason]);

describe('forEachRecord', () => {
  it('reports per-record failures with their kind; the rest succeed', async () => {
    const done: number[] = [];
    const sink = defineSink(
      forEachRecord(
        async (r) => {
          if (n(r) === 1) throw new InvalidRecordError('bad', { record: r });
          if (n(r) === 3) throw new RetryableError('busy');
          done.push(n(r));
        },
        { ordered: false },
      ),
    );
    const outcome = await runSink(sink, makeEvent(5));
    expect(failed(outcome)).toEqual([
      [1, 'invalid'],
      [3, 'retryable'],
    ]);
    expect(done).toEqual([0, 2, 4]);
  });

  it('ordered: a failure skips the later records of the same key only', async () => {
    const done: number[] = [];
    const sink = defineSink(
      forEachRecord(
        async (r) => {
          if (n(r) === 1) throw new RetryableError('busy'); // key k1
          done.push(n(r));
        },
        { ordered: true, concurrency: 2 },
      ),
    );
    const outcome = await runSink(sink, makeEvent(7, { keys: 3 })); // k0: 0,3,6  k1: 1,4  k2: 2,5
    expect(failed(outcome)).toEqual([
      [1, 'retryable'],
      [4, 'retryable'],
    ]);
    expect(outcome.failures[1]!.message).toMatch(/earlier record .*@101 of the same key failed/);
    expect(done.sort()).toEqual([0, 2, 3, 5, 6]);
  });

  it('ordered: records of one key run one after another; keys run concurrently', async () => {
    let active = 0;
    let peak = 0;
    const order = new Map<string, number[]>();
    const sink = defineSink(
      forEachRecord(
        async (r) => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, 10));
          order.set(r.routingKey!, [...(order.get(r.routingKey!) ?? []), n(r)]);
          active--;
        },
        { ordered: true, concurrency: 4 },
      ),
    );
    await runSink(sink, makeEvent(16, { keys: 4 }));
    expect(peak).toBe(4);
    expect(order.get('k1')).toEqual([1, 5, 9, 13]);
  });

  it('unordered concurrency is bounded', async () => {
    let active = 0;
    let peak = 0;
    const sink = defineSink(
      forEachRecord(
        async () => {
          peak = Math.max(peak, ++active);
          await new Promise((resolve) => setTimeout(resolve, 5));
          active--;
        },
        { ordered: false, concurrency: 3 },
      ),
    );
    expect((await runSink(sink, makeEvent(12))).status).toBe('success');
    expect(peak).toBe(3);
  });

  it('a fatal error fails the whole batch', async () => {
    const sink = defineSink(
      forEachRecord(async (r) => {
        if (n(r) === 2) throw new FatalError('credentials revoked');
      }),
    );
    const outcome = await runSink(sink, makeEvent(4));
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toBe('credentials revoked');
  });

  it('near the deadline, records not started are reported failed and finished work is kept', async () => {
    const done: number[] = [];
    const sink = defineSink(
      forEachRecord(
        async (r) => {
          await new Promise((resolve) => setTimeout(resolve, 60));
          done.push(n(r));
        },
        { ordered: false },
      ),
      { deadlineMarginMs: 100 },
    );
    const outcome = await runSink(sink, makeEvent(10), { deadline: Date.now() + 400 });
    expect(outcome.status).toBe('partial');
    const notRun = outcome.failures.filter((f) => /deadline/.test(f.message ?? ''));
    expect(notRun.length).toBe(outcome.failures.length);
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(done.length + notRun.length).toBe(10);
  });
});

describe('forEachRecord ordering and invalid records', () => {
  it('an invalid record does not hold back later records of its key', async () => {
    const done: number[] = [];
    const sink = defineSink(
      forEachRecord(
        async (r) => {
          if (n(r) === 1) throw new InvalidRecordError('bad', { record: r });
          done.push(n(r));
        },
        { ordered: true },
      ),
    );
    const outcome = await runSink(sink, makeEvent(4));
    expect(failed(outcome)).toEqual([[1, 'invalid']]);
    expect(done).toEqual([0, 2, 3]);
  });
});
