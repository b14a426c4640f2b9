import { describe, expect, it } from 'vitest';
import { FatalError, InvalidRecordError, jsonWithMetadata, RetryableError } from '../../../src/core/index.js';
import { defineSink, runSink, SinkEventError, toSinkBatchResponse, type SinkContext } from '../../../src/sink/index.js';
import { makeEvent } from './make-event.js';

describe('defineSink + runSink', () => {
  it('all records succeed when the handler returns nothing; ctx carries the batch facts', async () => {
    let seen: SinkContext | undefined;
    const sink = defineSink(async (records, ctx) => {
      seen = ctx;
      expect(records.map((r) => r.json<{ n: number }>().n)).toEqual([0, 1, 2]);
    });
    const deadline = Date.now() + 5_000;
    const outcome = await runSink(sink, makeEvent(3), { deadline });
    expect(outcome).toMatchObject({ status: 'success', failures: [], records: 3 });
    expect(seen).toMatchObject({ binding: 'orders-to-pg', subscription: 'orders-pg', topic: '/default/orders', deadline, attempt: 1 });
    expect(seen!.signal.aborted).toBe(false);
    expect(toSinkBatchResponse(outcome)).toEqual({ batchItemFailures: [] });
  });

  it('reports the failures the handler returns', async () => {
    const sink = defineSink((records) => ({ batchItemFailures: [{ itemIdentifier: records[1]!.id }] }));
    const outcome = await runSink(sink, makeEvent(3));
    expect(outcome.status).toBe('partial');
    expect(outcome.failures).toEqual([{ itemIdentifier: '/default/orders-part-0@101', reason: 'retryable' }]);
  });

  it('an identifier not in the batch fails the whole batch', async () => {
    const sink = defineSink(() => ({ batchItemFailures: [{ itemIdentifier: '/default/orders-part-0@999' }] }));
    const outcome = await runSink(sink, makeEvent(2));
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toMatch(/"\/default\/orders-part-0@999" is not a record of this batch/);
    expect(() => toSinkBatchResponse(outcome)).toThrow(/whole batch failed/);
  });

  it('throwing fails the batch with the classified error', async () => {
    const outcome = await runSink(
      defineSink(() => {
        throw Object.assign(new Error('denied'), { status: 403 });
      }),
      makeEvent(2),
    );
    expect(outcome).toMatchObject({ status: 'failed', failures: [] });
    expect(outcome.error).toBeInstanceOf(FatalError);
    const busy = await runSink(
      defineSink(async () => {
        throw new RetryableError('busy');
      }),
      makeEvent(2),
    );
    expect(busy.error?.retryable).toBe(true);
  });

  it('an InvalidRecordError naming a record dead-letters it and retries the others', async () => {
    const sink = defineSink(async (records) => {
      throw new InvalidRecordError('bad order', { record: records[1]! });
    });
    const outcome = await runSink(sink, makeEvent(3));
    expect(outcome.status).toBe('partial');
    expect(outcome.failures.map((f) => [f.itemIdentifier.split('@')[1], f.reason])).toEqual([
      ['100', 'retryable'],
      ['101', 'invalid'],
      ['102', 'retryable'],
    ]);
  });

  it('applies transforms; records they reject never reach the handler', async () => {
    const handled: unknown[] = [];
    const sink = defineSink(
      (records) => {
        handled.push(...records.map((r) => r.json()));
      },
      { transforms: [jsonWithMetadata] },
    );
    const outcome = await runSink(sink, makeEvent(3, { payloads: ['{"a":1}', 'oops', '{"a":3}'] }));
    expect(outcome.failures).toEqual([expect.objectContaining({ itemIdentifier: '/default/orders-part-0@101', reason: 'invalid' })]);
    expect(handled).toHaveLength(2);
    expect(handled[0]).toMatchObject({ a: 1, _danube: { offset: '100', topic: '/default/orders' } });
  });

  it('signals the deadline early and fails a handler that overruns it', async () => {
    let abortedAt = 0;
    const started = Date.now();
    const sink = defineSink(
      async (_records, ctx) => {
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        abortedAt = Date.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      },
      { deadlineMarginMs: 100 },
    );
    const outcome = await runSink(sink, makeEvent(1), { deadline: started + 250 });
    expect(abortedAt).toBeGreaterThanOrEqual(130);
    expect(abortedAt).toBeLessThan(400);
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toMatch(/did not finish before its deadline/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('an outer signal that is already aborted reaches the handler', async () => {
    let aborted: boolean | undefined;
    const controller = new AbortController();
    controller.abort(new Error('relay stopping'));
    await runSink(
      defineSink((_r, ctx) => {
        aborted = ctx.signal.aborted;
      }),
      makeEvent(1),
      { signal: controller.signal },
    );
    expect(aborted).toBe(true);
  });

  it('malformed events throw SinkEventError; options are checked at definition', async () => {
    await expect(
      runSink(
        defineSink(() => {}),
        { type: 'danube.sink.batch.v1' },
      ),
    ).rejects.toBeInstanceOf(SinkEventError);
    expect(() => defineSink(() => {}, { deadlineMargin: 5 } as never)).toThrow(/deadlineMargin: unknown key/);
  });
});
