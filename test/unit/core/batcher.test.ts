import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/core/index.js';

describe('Batcher', () => {
  it('cuts by count', async () => {
    const b = new Batcher<number>({ maxRecords: 3, maxWaitMs: 10_000, maxPendingBatches: 10 });
    for (let i = 0; i < 7; i++) await b.add(i);
    expect(await b.next()).toEqual([0, 1, 2]);
    expect(await b.next()).toEqual([3, 4, 5]);
    b.close();
    expect(await b.next()).toEqual([6]);
    expect(await b.next()).toBeUndefined();
  });

  it('cuts by bytes; an oversized item travels alone', async () => {
    const b = new Batcher<string>({ maxRecords: 100, maxBytes: 10, maxWaitMs: 10_000, maxPendingBatches: 10 }, (s) => s.length);
    for (const s of ['aaaa', 'bbbb', 'cccc', 'dddddddddddddd', 'e']) await b.add(s);
    b.close();
    const batches: string[][] = [];
    for await (const batch of b) batches.push(batch);
    expect(batches).toEqual([['aaaa', 'bbbb'], ['cccc'], ['dddddddddddddd'], ['e']]);
  });

  it('cuts by time from the first item of a batch', async () => {
    const b = new Batcher<number>({ maxRecords: 100, maxWaitMs: 50 });
    const started = Date.now();
    await b.add(1);
    await b.add(2);
    expect(await b.next()).toEqual([1, 2]);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(45);
    expect(waited).toBeLessThan(500);
  });

  it('applies back-pressure: add() waits while a cut batch is not taken', async () => {
    const b = new Batcher<number>({ maxRecords: 2, maxWaitMs: 10_000, maxPendingBatches: 1 });
    await b.add(1);
    await b.add(2); // cut and pending: the next add must wait for the consumer
    let threeAccepted = false;
    const adding = b.add(3).then(() => { threeAccepted = true; });
    await new Promise((r) => setTimeout(r, 30));
    expect(threeAccepted).toBe(false);
    expect(await b.next()).toEqual([1, 2]);
    await adding;
    expect(threeAccepted).toBe(true);
    b.close();
    expect(await b.next()).toEqual([3]);
    await expect(b.add(4)).rejects.toThrow(/closed/);
  });

  it('next() can be aborted and rejects unknown options by name', async () => {
    const b = new Batcher<number>({ maxWaitMs: 10_000 });
    await expect(b.next(AbortSignal.timeout(20))).rejects.toThrow();
    expect(() => new Batcher({ maxRecord: 3 } as never)).toThrow(/maxRecord: unknown key/);
  });
});
