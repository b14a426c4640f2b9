import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionForKey } from '../../../src/client/index.js';
import { harness, quiet, receiveN, text, type Harness, TRANSPORTS } from './helpers.js';

// Every test here runs once per transport of the hot calls (SendMessage, Ack, Nack, ReceiveMessages).
describe.each(TRANSPORTS)('%s transport', (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({}, { transport });
  });
  afterAll(async () => h.close());

  describe('produce and consume over real gRPC', () => {
    it('delivers messages of a reliable plain topic in order with attributes, offsets and publish time', async () => {
      const producer = await h.client.createProducer({ topic: '/default/plain', name: 'plain-src', dispatch: 'reliable' });
      const consumer = await h.client.subscribe({ topic: '/default/plain', subscription: 'plain-sub', type: 'exclusive' });
      const before = Date.now();
      for (let i = 0; i < 5; i++) {
        const result = await producer.send(`m${i}`, { attributes: { i: String(i), 'content-type': 'text/plain' } });
        expect(result).toEqual({ topic: '/default/plain', requestId: BigInt(i + 1) });
      }
      const got = await receiveN(consumer, 5);
      expect(got.map(text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
      expect(got.map((m) => m.offset)).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(got[2]!.attributes).toEqual({ i: '2', 'content-type': 'text/plain' });
      expect(got[0]).toMatchObject({ topic: '/default/plain', logicalTopic: '/default/plain', producerName: 'plain-src', requestId: 1n });
      expect(got[0]!.publishTime).toBeGreaterThanOrEqual(before - 1);
      expect(got[0]!.publishTime).toBeLessThanOrEqual(Date.now());
      expect(await quiet(consumer, 100)).toBeUndefined();
      await producer.close();
      await consumer.close();
    });

    it('delivers a non-reliable topic to a live subscriber', async () => {
      const producer = await h.client.createProducer({ topic: '/default/live', name: 'live-src' });
      const consumer = await h.client.subscribe({ topic: '/default/live', subscription: 'live-sub', dispatch: 'non-reliable' });
      for (let i = 0; i < 3; i++) await producer.send(new Uint8Array([i]));
      const got = await receiveN(consumer, 3);
      expect(got.map((m) => m.payload[0])).toEqual([0, 1, 2]);
      await consumer.close();
      await producer.close();
    });

    it('spreads unkeyed messages round-robin over partitions and consumes all of them', async () => {
      const producer = await h.client.createProducer({ topic: '/default/parts', name: 'parts-src', partitions: 3, dispatch: 'reliable', mode: 'pipelined' });
      expect(producer.partitions).toEqual(['/default/parts-part-0', '/default/parts-part-1', '/default/parts-part-2']);
      const consumer = await h.client.subscribe({ topic: '/default/parts', subscription: 'parts-sub' });
      expect(consumer.partitions.sort()).toEqual(producer.partitions);
      const results = await Promise.all(Array.from({ length: 9 }, (_, i) => producer.send(`m${i}`)));
      expect(results.map((r) => r.topic)).toEqual(Array.from({ length: 9 }, (_, i) => `/default/parts-part-${i % 3}`));
      const got = await receiveN(consumer, 9);
      expect(got.map(text).sort()).toEqual(Array.from({ length: 9 }, (_, i) => `m${i}`).sort());
      expect(new Set(got.map((m) => m.logicalTopic))).toEqual(new Set(['/default/parts']));
      expect(new Set(got.map((m) => m.producerName))).toEqual(new Set(['parts-src-0', 'parts-src-1', 'parts-src-2']));
    });

    it('routes keyed messages to FNV-1a-64(key) % N and carries the routing key', async () => {
      const producer = await h.client.createProducer({ topic: '/default/keyed', name: 'keyed-src', partitions: 4, dispatch: 'reliable' });
      const consumer = await h.client.subscribe({ topic: '/default/keyed', subscription: 'keyed-sub' });
      // Reference hashes of these keys (published FNV-1a 64 vectors): '' cbf29ce484222325,
      // a af63dc4c8601ec8c, b af63df4c8601f1a5, foo dcb27518fed9d577, foobar 85944171f73967e8.
      const expected: Record<string, number> = {
        a: Number(0xaf63dc4c8601ec8cn % 4n),
        b: Number(0xaf63df4c8601f1a5n % 4n),
        foo: Number(0xdcb27518fed9d577n % 4n),
        foobar: Number(0x85944171f73967e8n % 4n),
        '': Number(0xcbf29ce484222325n % 4n),
      };
      for (const key of Object.keys(expected)) {
        const result = await producer.send(`v-${key}`, { key });
        expect(result.topic).toBe(`/default/keyed-part-${expected[key]}`);
        expect(partitionForKey(key, 4)).toBe(expected[key]);
      }
      const got = await receiveN(consumer, 5);
      for (const m of got) {
        expect(m.routingKey).toBe(text(m)!.slice(2));
        expect(m.topic).toBe(`/default/keyed-part-${expected[m.routingKey!]}`);
      }
    });

    it('uses the partitions a topic already has when none are given', async () => {
      await h.client.createProducer({ topic: '/default/existing', name: 'first', partitions: 2 });
      const second = await h.client.createProducer({ topic: '/default/existing', name: 'second' });
      expect(second.partitions).toEqual(['/default/existing-part-0', '/default/existing-part-1']);
    });

    it('shares one HTTP/2 channel between every producer, consumer and lookup of a broker', async () => {
      const c = h.newClient();
      const producers = await Promise.all([1, 2, 3].map((i) => c.createProducer({ topic: `/default/share-${i}`, name: `p${i}`, partitions: 2 })));
      await Promise.all([1, 2].map((i) => c.subscribe({ topic: `/default/share-${i}`, subscription: 's' })));
      await Promise.all(producers.map((p) => p.send('x')));
      expect(c.channelCount).toBe(1);
      await c.close();
      await c.close();
    });

    it('registers, reads and checks schemas, and stamps the schema on messages', async () => {
      const registry = h.client.schemaRegistry;
      const v1 = { type: 'object', properties: { id: { type: 'number' } } };
      const first = await registry.register({ subject: 'orders-value', type: 'json_schema', definition: v1, description: 'orders' });
      expect(first).toMatchObject({ version: 1, isNewVersion: true });
      expect(typeof first.schemaId).toBe('bigint');
      const again = await registry.register({ subject: 'orders-value', type: 'json_schema', definition: v1 });
      expect(again).toMatchObject({ version: 1, isNewVersion: false });
      const v2 = { ...v1, properties: { ...v1.properties, note: { type: 'string' } } };
      const compat = await registry.checkCompatibility({ subject: 'orders-value', type: 'json_schema', definition: v2 });
      expect(compat.compatible).toBe(true);
      await registry.register({ subject: 'orders-value', type: 'json_schema', definition: v2 });

      const latest = await registry.getLatest('orders-value');
      expect(latest).toMatchObject({ subject: 'orders-value', version: 2, type: 'json_schema' });
      expect(JSON.parse(latest.definition)).toEqual(v2);
      const pinned = await registry.getSchema(latest.schemaId, 1);
      expect(JSON.parse(pinned.definition)).toEqual(v1);
      expect((await registry.listVersions('orders-value')).map((v) => v.version)).toEqual([1, 2]);

      const producer = await h.client.createProducer({
        topic: '/default/with-schema',
        name: 'schema-src',
        dispatch: 'reliable',
        schema: { subject: 'orders-value', version: 1 },
      });
      const consumer = await h.client.subscribe({ topic: '/default/with-schema', subscription: 's' });
      await producer.send(JSON.stringify({ id: 1 }));
      const [m] = await receiveN(consumer, 1);
      expect(m).toMatchObject({ schemaId: latest.schemaId, schemaVersion: 1 });
      await expect(h.client.createProducer({ topic: '/default/with-schema-2', name: 'x', schema: { subject: 'orders-value', version: 9 } })).rejects.toThrow(
        /no version 9/,
      );
    });
  });
});
