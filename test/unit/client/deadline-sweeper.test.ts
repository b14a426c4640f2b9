import { describe, expect, it } from 'vitest';
import { DeadlineSweeper } from '../../../src/client/deadline-sweeper.js';

describe('DeadlineSweeper', () => {
  it('cancels watched calls once past their deadline, and only those', async () => {
    const sweeper = new DeadlineSweeper(10);
    const cancelled: string[] = [];
    const call = (name: string) => ({ cancel: () => cancelled.push(name) });
    const late = call('late');
    const done = call('done');
    const later = call('later');
    sweeper.watch(late, Date.now() + 20);
    sweeper.watch(done, Date.now() + 20);
    sweeper.watch(later, Date.now() + 10_000);
    sweeper.unwatch(done);
    await new Promise((r) => setTimeout(r, 80));
    expect(cancelled).toEqual(['late']);
    expect(sweeper.size).toBe(1);
    sweeper.close();
    expect(sweeper.size).toBe(0);
  });
});
