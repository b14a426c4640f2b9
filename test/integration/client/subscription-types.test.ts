import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermissionDeniedError } from '../../../src/client/index.js';
import { harness, quiet, receiveN, text, type Harness, TRANSPORTS } from './helpers.js';

// Every test here runs once per transport of the hot calls (SendMessage, Ack, Nack, ReceiveMessages).
describe.each(TRANSPORTS)('%s transport', (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({}, { transport });
  });
  afterAll(async () => h.close());

  describe('subscription types', () => {
    it('exclusive: a second consumer name is refused, the same name takes over', async () => {
      await h.client.createProducer({ topic: '/default/excl', name: 'p', dispatch: 'reliable' });
      const first = await h.client.subscribe({ topic: '/default/excl', subscription: 's', type: 'exclusive', consumerName: 'one' });
      await expect(h.client.subscribe({ topic: '/default/excl', subscription: 's', type: 'exclusive', consumerName: 'two' })).rejects.toBeInstanceOf(
        PermissionDeniedError,
      );
      await first.close();
      const again = await h.client.subscribe({ topic: '/default/excl', subscription: 's', type: 'exclusive', consumerName: 'one' });
      expect(again.consumerName).toBe('one');
    });

    it('shared: messages are spread over the consumers of a subscription', async () => {
      const producer = await h.client.createProducer({ topic: '/default/shared', name: 'p', dispatch: 'reliable' });
      const a = await h.client.subscribe({ topic: '/default/shared', subscription: 's', type: 'shared', consumerName: 'a' });
      const b = await h.client.subscribe({ topic: '/default/shared', subscription: 's', type: 'shared', consumerName: 'b' });
      for (let i = 0; i < 6; i++) await producer.send(`m${i}`);
      const [fromA, fromB] = await Promise.all([receiveN(a, 3), receiveN(b, 3)]);
      expect([...fromA, ...fromB].map(text).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    });

    it('key-shared: each consumer gets only the keys its filters match', async () => {
      const producer = await h.client.createProducer({ topic: '/default/ks', name: 'p', dispatch: 'reliable' });
      const eu = await h.client.subscribe({ topic: '/default/ks', subscription: 's', type: 'key-shared', consumerName: 'eu', keyFilters: ['eu-*'] });
      const us = await h.client.subscribe({ topic: '/default/ks', subscription: 's', type: 'key-shared', consumerName: 'us', keyFilters: ['us-*'] });
      for (const key of ['eu-1', 'us-1', 'eu-2', 'us-2']) await producer.send(key, { key });
      const [fromEu, fromUs] = await Promise.all([receiveN(eu, 2), receiveN(us, 2)]);
      expect(fromEu.map((m) => m.routingKey)).toEqual(['eu-1', 'eu-2']);
      expect(fromUs.map((m) => m.routingKey)).toEqual(['us-1', 'us-2']);
    });

    it('failover: the active consumer gets the messages, in order', async () => {
      const producer = await h.client.createProducer({ topic: '/default/fo', name: 'p', dispatch: 'reliable' });
      const active = await h.client.subscribe({ topic: '/default/fo', subscription: 's', type: 'failover', consumerName: 'active' });
      const standby = await h.client.subscribe({ topic: '/default/fo', subscription: 's', type: 'failover', consumerName: 'standby' });
      for (let i = 0; i < 4; i++) await producer.send(`m${i}`);
      expect((await receiveN(active, 4)).map(text)).toEqual(['m0', 'm1', 'm2', 'm3']);
      expect(await quiet(standby, 200)).toBeUndefined();
    });

    it('back-pressure: a full buffer on a reliable topic pauses reading without losing messages', async () => {
      const producer = await h.client.createProducer({ topic: '/default/bp', name: 'p', dispatch: 'reliable', mode: 'pipelined' });
      const consumer = await h.client.subscribe({ topic: '/default/bp', subscription: 's', bufferSize: 4 });
      await Promise.all(Array.from({ length: 30 }, (_, i) => producer.send(String(i))));
      await new Promise((r) => setTimeout(r, 200));
      expect(consumer.buffered).toBeLessThanOrEqual(10);
      const got = await receiveN(consumer, 30);
      expect(got.map(text)).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
    });
  });
});
