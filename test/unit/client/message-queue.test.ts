import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { ClientClosedError, DanubeError } from '../../../src/client/index.js';
import { MessageQueue } from '../../../src/client/message-queue.js';
import type { DanubeMessage } from '../../../src/client/message.js';

const msg = (offset: number) => ({ offset: BigInt(offset) }) as DanubeMessage;

describe('MessageQueue', () => {
  it('asks to pause when full (reliable) and resumes once half is taken', async () => {
    const onDrain = vi.fn();
    const queue = new MessageQueue(4, true, onDrain, silentLogger);
    expect([1, 2, 3].map((i) => queue.push(msg(i)))).toEqual([false, false, false]);
    expect(queue.push(msg(4))).toBe(true);
    expect((await queue.take())!.offset).toBe(1n);
    expect(onDrain).not.toHaveBeenCalled();
    expect((await queue.take())!.offset).toBe(2n);
    expect(onDrain).toHaveBeenCalledTimes(1);
  });

  it('drops the oldest message when full (non-reliable) and counts it', async () => {
    const queue = new MessageQueue(2, false, () => undefined, silentLogger);
    for (const i of [1, 2, 3]) expect(queue.push(msg(i))).toBe(false);
    expect(queue.dropped).toBe(1);
    expect((await queue.take())!.offset).toBe(2n);
    expect((await queue.take())!.offset).toBe(3n);
  });

  it('hands a message straight to a waiting taker, and times out to undefined', async () => {
    const queue = new MessageQueue(2, true, () => undefined, silentLogger);
    const waiting = queue.take();
    queue.push(msg(7));
    expect((await waiting)!.offset).toBe(7n);
    expect(await queue.take(20)).toBeUndefined();
    const controller = new AbortController();
    const aborted = queue.take(undefined, controller.signal);
    controller.abort();
    expect(await aborted).toBeUndefined();
  });

  it('rejects takers after a failure or close', async () => {
    const failed = new MessageQueue(2, true, () => undefined, silentLogger);
    const waiting = failed.take();
    failed.fail(new DanubeError('fatal'));
    await expect(waiting).rejects.toThrow('fatal');
    const closed = new MessageQueue(2, true, () => undefined, silentLogger);
    closed.close();
    await expect(closed.take()).rejects.toBeInstanceOf(ClientClosedError);
  });
});
