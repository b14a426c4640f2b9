import { getEventListeners } from 'node:events';
import { status } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AbortedError, type DanubeClient } from '../../../src/client/index.js';
import { harness, quiet, receiveN, text, type Harness, TRANSPORTS } from './helpers.js';

// Every test here runs once per transport of the hot calls (SendMessage, Ack, Nack, ReceiveMessages).
describe.each(TRANSPORTS)('%s transport', (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({}, { transport });
  });
  afterEach(async () => {
    h.broker.faults.clear();
    await h.close();
  });

  /** Asserts `promise` rejects with the caller's abort, and how long that took after `abortedAt`. */
  async function expectAborted(promise: Promise<unknown>, reason: unknown): Promise<AbortedError> {
    const err = await promise.then(
      () => {
        throw new Error('expected an abort');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AbortedError);
    const aborted = err as AbortedError;
    expect(aborted.code).toBe(status.CANCELLED);
    expect(aborted.retryable).toBe(false);
    expect(aborted.cause).toBe(reason);
    return aborted;
  }

  async function makeTopic(client: DanubeClient, topic: string): Promise<void> {
    const p = await client.createProducer({ topic, name: `${topic.split('/')[2]}-maker` });
    await p.close();
  }

  describe('cancelling with an AbortSignal', () => {
    it('an abort while subscribe retries on UNAVAILABLE rejects at once and stops retrying', async () => {
      const client = h.newClient({ connectTimeoutMs: 20_000, retry: { maxRetries: 100, baseBackoffMs: 100, maxBackoffMs: 200 } });
      await makeTopic(client, '/default/abort-sub');
      h.broker.faults.failNext('Subscribe', 1000, status.UNAVAILABLE);
      const controller = new AbortController();
      const reason = new Error('relay shutting down');
      const subscribing = client.subscribe({ topic: '/default/abort-sub', subscription: 's', signal: controller.signal });
      await new Promise((r) => setTimeout(r, 400));
      const abortedAt = Date.now();
      controller.abort(reason);
      await expectAborted(subscribing, reason);
      expect(Date.now() - abortedAt).toBeLessThan(100);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      // The retry loop stopped: with the fault gone, a subscribe succeeds, and the client closes promptly.
      h.broker.faults.clear();
      const consumer = await client.subscribe({ topic: '/default/abort-sub', subscription: 's' });
      await consumer.close();
    });

    it('an abort of a send the broker is slow to answer rejects at once; later sends go through', async () => {
      const producer = await h.client.createProducer({ topic: '/default/abort-send', name: 'abort-send' });
      const consumer = await h.client.subscribe({ topic: '/default/abort-send', subscription: 's' });
      h.broker.faults.delay('SendMessage', 1_500, 1);
      const controller = new AbortController();
      const reason = new Error('lambda deadline');
      const sending = producer.send('slow', { signal: controller.signal });
      await new Promise((r) => setTimeout(r, 150));
      const abortedAt = Date.now();
      controller.abort(reason);
      const err = await expectAborted(sending, reason);
      expect(err.message).toMatch(/may still have stored/);
      expect(Date.now() - abortedAt).toBeLessThan(100);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      await producer.send('after');
      // At-least-once: the aborted message may or may not have been stored; 'after' always arrives.
      const got = await receiveN(consumer, 1);
      const texts = [text(got[0])];
      const extra = await quiet(consumer, 300);
      if (extra) texts.push(text(extra));
      expect(texts).toContain('after');
      await producer.close();
    });

    it('an already-aborted signal rejects at once without any call to the broker', async () => {
      const reason = new Error('already gone');
      const signal = AbortSignal.abort(reason);
      await makeTopic(h.client, '/default/abort-early');
      // One armed failure per RPC: the first real call of each would consume it.
      h.broker.faults.failNext('CreateProducer', 1, status.INTERNAL);
      h.broker.faults.failNext('Subscribe', 1, status.INTERNAL);
      await expectAborted(h.client.createProducer({ topic: '/default/abort-early', name: 'p', signal }), reason);
      await expectAborted(h.client.subscribe({ topic: '/default/abort-early', subscription: 's', signal }), reason);
      await expect(h.client.createProducer({ topic: '/default/abort-early', name: 'p' })).rejects.toThrow(/INTERNAL/);
      await expect(h.client.subscribe({ topic: '/default/abort-early', subscription: 's' })).rejects.toThrow(/INTERNAL/);

      const producer = await h.client.createProducer({ topic: '/default/abort-early', name: 'p' });
      const consumer = await h.client.subscribe({ topic: '/default/abort-early', subscription: 's' });
      await expectAborted(producer.send('never', { signal }), reason);
      await expectAborted(producer.flush({ signal }), reason);
      await producer.send('sent');
      expect((await receiveN(consumer, 1)).map(text)).toEqual(['sent']);
      expect(await quiet(consumer, 200)).toBeUndefined();
      await producer.close();
    });

    it('ordered producer: aborting the 2nd of 3 queued sends keeps the 1st and 3rd in order', async () => {
      const producer = await h.client.createProducer({ topic: '/default/abort-order', name: 'abort-order', mode: 'ordered' });
      const consumer = await h.client.subscribe({ topic: '/default/abort-order', subscription: 's' });
      h.broker.faults.delay('SendMessage', 400, 1);
      const controller = new AbortController();
      const reason = new Error('skip the second');
      const first = producer.send('1');
      const second = producer.send('2', { signal: controller.signal });
      const third = producer.send('3');
      controller.abort(reason);
      const err = await expectAborted(second, reason);
      expect(err.message).toMatch(/not sent/);
      await Promise.all([first, third]);
      await producer.flush();
      expect((await receiveN(consumer, 2)).map(text)).toEqual(['1', '3']);
      expect(await quiet(consumer, 300)).toBeUndefined();
      await producer.close();
    });

    it('a send that settles normally leaves no abort listener behind', async () => {
      const producer = await h.client.createProducer({ topic: '/default/abort-clean', name: 'abort-clean' });
      const controller = new AbortController();
      await Promise.all([1, 2, 3].map((i) => producer.send(String(i), { signal: controller.signal })));
      await producer.flush({ signal: controller.signal });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      const consumer = await h.client.subscribe({ topic: '/default/abort-clean', subscription: 's', signal: controller.signal });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      await consumer.close();
      await producer.close();
    });
  });
});
