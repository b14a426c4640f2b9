import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { FAST, quiet, receiveN, text, TRANSPORTS } from './helpers.js';

// Every test here runs once per transport of the hot calls (SendMessage, Ack, Nack, ReceiveMessages).
describe.each(TRANSPORTS)('%s transport', (transport) => {
  describe('through a proxy (lookups answer proxy=true)', () => {
    let cluster: Broker;
    beforeAll(async () => {
      cluster = await startBroker({ port: 0, brokers: 2, proxy: true });
    });
    afterAll(async () => cluster.close());

    it('dials only the proxy and names the owning broker in x-danube-broker-url', async () => {
      const c = new DanubeClient({ serviceUrl: cluster.proxyUrl!, ...FAST, transport });
      const producer = await c.createProducer({ topic: '/default/proxied', name: 'p', partitions: 4, dispatch: 'reliable' });
      const consumer = await c.subscribe({ topic: '/default/proxied', subscription: 's' });
      for (let i = 0; i < 8; i++) await producer.send(`m${i}`);
      const got = await receiveN(consumer, 8);
      expect(got.map(text).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `m${i}`).sort());
      // Every partition was reached through the one proxy connection, yet both brokers own some.
      expect(c.channelCount).toBe(1);
      expect(new Set(got.map((m) => m.msgId.brokerAddr))).toEqual(new Set(cluster.urls));
      await c.close();
    });
  });

  describe('topic moved to another broker', () => {
    let cluster: Broker;
    beforeAll(async () => {
      cluster = await startBroker({ port: 0, brokers: 2 });
    });
    afterAll(async () => cluster.close());

    it('producer and consumer follow the topic with a new lookup, losing nothing', async () => {
      const c = new DanubeClient({ serviceUrl: cluster.urls[0]!, ...FAST, transport });
      const producer = await c.createProducer({ topic: '/default/moving', name: 'p', dispatch: 'reliable' });
      const consumer = await c.subscribe({ topic: '/default/moving', subscription: 's', consumerName: 'mover' });
      for (let i = 0; i < 3; i++) await producer.send(`before${i}`);
      expect((await receiveN(consumer, 3)).map(text)).toEqual(['before0', 'before1', 'before2']);
      const from = cluster.admin.describeTopic('/default/moving')!.broker;
      const to = cluster.admin.moveTopic('/default/moving');
      expect(to).not.toBe(from);
      for (let i = 0; i < 3; i++) await producer.send(`after${i}`);
      const after = await receiveN(consumer, 3, { timeoutMs: 8_000 });
      expect(after.map(text)).toEqual(['after0', 'after1', 'after2']);
      expect(new Set(after.map((m) => m.msgId.brokerAddr))).toEqual(new Set([cluster.urls[to]]));
      expect(await quiet(consumer, 300)).toBeUndefined();
      await c.close();
    });
  });
});
