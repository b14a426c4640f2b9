import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { harness, quiet, receiveN, text, type Harness, TRANSPORTS } from './helpers.js';

// Every test here runs once per transport of the hot calls (SendMessage, Ack, Nack, ReceiveMessages).
describe.each(TRANSPORTS)('%s transport', (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ dispatch: { ackTimeoutMs: 300, baseRedeliveryDelayMs: 50, maxRedeliveryDelayMs: 200 } }, { transport });
  });
  afterAll(async () => h.close());

  describe('reliable delivery and reconnection', () => {
    it('redelivers to another consumer what a consumer received but never acked before dying', async () => {
      const producer = await h.client.createProducer({ topic: '/default/redeliver', name: 'src', dispatch: 'reliable' });
      const doomedClient = h.newClient();
      const doomed = await doomedClient.subscribe({ topic: '/default/redeliver', subscription: 'work', type: 'shared', consumerName: 'doomed' });
      for (let i = 0; i < 3; i++) await producer.send(`job${i}`);
      const seen = await receiveN(doomed, 3, { ack: false });
      expect(seen.map(text)).toEqual(['job0', 'job1', 'job2']);
      await doomedClient.close(); // dies without acking

      const survivor = await h.client.subscribe({ topic: '/default/redeliver', subscription: 'work', type: 'shared', consumerName: 'survivor' });
      const again = await receiveN(survivor, 3);
      expect(again.map(text).sort()).toEqual(['job0', 'job1', 'job2']);
      expect(again.map((m) => m.offset).sort()).toEqual([0n, 1n, 2n]);
      expect(await quiet(survivor, 400)).toBeUndefined();
    });

    it('redelivers a nacked message after its delay', async () => {
      const producer = await h.client.createProducer({ topic: '/default/nack', name: 'src', dispatch: 'reliable' });
      const consumer = await h.client.subscribe({ topic: '/default/nack', subscription: 's' });
      await producer.send('retry-me');
      const [first] = await receiveN(consumer, 1, { ack: false });
      const nackedAt = Date.now();
      await consumer.nack(first!, { delayMs: 150, reason: 'downstream busy' });
      const [second] = await receiveN(consumer, 1);
      expect(text(second)).toBe('retry-me');
      expect(second!.offset).toBe(first!.offset);
      expect(Date.now() - nackedAt).toBeGreaterThanOrEqual(140);
    });

    it('resubscribes after a broker restart and neither loses nor duplicates messages', async () => {
      const producer = await h.client.createProducer({ topic: '/default/restart', name: 'src', dispatch: 'reliable' });
      const consumer = await h.client.subscribe({ topic: '/default/restart', subscription: 's', consumerName: 'restart-c' });
      for (let i = 0; i < 5; i++) await producer.send(`before${i}`);
      expect((await receiveN(consumer, 5)).map(text)).toEqual(['before0', 'before1', 'before2', 'before3', 'before4']);

      await h.broker.restart();
      // The producer's id is gone: the next sends recreate it transparently.
      for (let i = 0; i < 5; i++) await producer.send(`after${i}`);
      const after = await receiveN(consumer, 5, { timeoutMs: 8_000 });
      expect(after.map(text)).toEqual(['after0', 'after1', 'after2', 'after3', 'after4']);
      expect(await quiet(consumer, 400)).toBeUndefined();
    });

    it('resumes after the receive stream drops, without handing out a message twice', async () => {
      const producer = await h.client.createProducer({ topic: '/default/drop', name: 'src', dispatch: 'reliable' });
      // A long ack timeout: only the reconnect may cause redeliveries here, not a slow machine.
      h.broker.admin.setSubscriptionPolicy('/default/drop', 's', { ackTimeoutMs: 60_000 });
      const consumer = await h.client.subscribe({ topic: '/default/drop', subscription: 's', consumerName: 'drop-c' });
      for (let i = 0; i < 6; i++) await producer.send(`m${i}`);
      // Take two without acking; the rest sit in the client's buffer, unacked too.
      const held = await receiveN(consumer, 2, { ack: false });
      await new Promise((r) => setTimeout(r, 100));
      expect(h.broker.faults.dropConsumerStreams({ topic: '/default/drop' })).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 6; i < 9; i++) await producer.send(`m${i}`);
      const rest = await receiveN(consumer, 7, { timeoutMs: 8_000 });
      const all = [...held, ...rest].map(text);
      expect(all.sort()).toEqual(Array.from({ length: 9 }, (_, i) => `m${i}`).sort());
      for (const m of held) await consumer.ack(m);
      expect(await quiet(consumer, 500)).toBeUndefined();
    });

    it('re-creates a producer on a health check CLOSE and re-subscribes the consumer, before any traffic', async () => {
      const producer = await h.client.createProducer({ topic: '/default/hc', name: 'hc-src', dispatch: 'reliable' });
      const consumer = await h.client.subscribe({ topic: '/default/hc', subscription: 's', consumerName: 'hc-c' });
      await h.broker.restart();
      expect(h.broker.admin.describeTopic('/default/hc')?.producers ?? []).toEqual([]);
      // Health checks run every 200 ms here: the broker answers CLOSE and the client reconnects.
      const until = Date.now() + 5_000;
      const connected = () => {
        const info = h.broker.admin.describeTopic('/default/hc');
        const sub = info?.subscriptions.find((x) => x.name === 's');
        return info?.producers.includes('hc-src') && sub?.consumers.some((c) => c.name === 'hc-c' && c.connected);
      };
      while (!connected() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(connected()).toBe(true);
      await producer.send('after-close');
      expect((await receiveN(consumer, 1)).map(text)).toEqual(['after-close']);
    });

    it('retries CreateProducer and Subscribe on UNAVAILABLE with fresh lookups', async () => {
      h.broker.faults.failNext('CreateProducer', 2, status.UNAVAILABLE, 'topic served by another broker, redo the lookup');
      const producer = await h.client.createProducer({ topic: '/default/flaky-create', name: 'p', dispatch: 'reliable' });
      h.broker.faults.failNext('Subscribe', 2, status.UNAVAILABLE);
      h.broker.faults.failNext('TopicLookup', 1, status.UNAVAILABLE);
      const consumer = await h.client.subscribe({ topic: '/default/flaky-create', subscription: 's' });
      await producer.send('made it');
      expect((await receiveN(consumer, 1)).map(text)).toEqual(['made it']);
      await producer.close();
      await producer.close();
      await consumer.close();
      await consumer.close();
    });
  });
});
