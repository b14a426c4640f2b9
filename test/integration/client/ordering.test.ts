import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { harness, receiveN, text, type Harness, TRANSPORTS } from './helpers.js';

// Every test here runs once per transport of the hot calls (SendMessage, Ack, Nack, ReceiveMessages).
describe.each(TRANSPORTS)('%s transport', (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ dispatch: { maxUnackedMessages: 1000 } }, { transport });
  });
  afterAll(async () => h.close());

  describe('producer modes', () => {
    it('ordered mode keeps send() order per partition under concurrent callers', async () => {
      const producer = await h.client.createProducer({ topic: '/default/ordered', name: 'ord', partitions: 4, dispatch: 'reliable', mode: 'ordered' });
      const consumer = await h.client.subscribe({ topic: '/default/ordered', subscription: 's', bufferSize: 1000 });
      // Some sends fail once and are retried: order must survive the retries too.
      h.broker.faults.failNext('SendMessage', 3, status.UNAVAILABLE);
      const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
      const sends: Promise<unknown>[] = [];
      // Five "callers" interleave without awaiting each other.
      for (let caller = 0; caller < 5; caller++) {
        sends.push(
          (async () => {
            const mine: Promise<unknown>[] = [];
            for (let i = 0; i < 40; i++) {
              const key = keys[(caller + i) % keys.length]!;
              mine.push(producer.send(`${key}:${caller}:${i}`, { key }));
              if (i % 7 === 0) await new Promise((r) => setImmediate(r));
            }
            await Promise.all(mine);
          })(),
        );
      }
      await Promise.all(sends);
      const got = await receiveN(consumer, 200);
      const byPartition = new Map<string, bigint[]>();
      for (const m of got) {
        const list = byPartition.get(m.topic) ?? [];
        list.push(m.offset);
        byPartition.set(m.topic, list);
      }
      // Per caller and key, messages come in the order that caller sent them.
      const lastIndex = new Map<string, number>();
      for (const m of got) {
        const [key, caller, i] = text(m)!.split(':');
        const id = `${key}/${caller}`;
        expect(Number(i)).toBeGreaterThan(lastIndex.get(id) ?? -1);
        lastIndex.set(id, Number(i));
      }
      for (const offsets of byPartition.values()) expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : 1)));
    });

    it('ordered mode writes messages to a partition in exactly the order send() was called', async () => {
      const producer = await h.client.createProducer({ topic: '/default/ordered-exact', name: 'ord2', dispatch: 'reliable', mode: 'ordered' });
      const consumer = await h.client.subscribe({ topic: '/default/ordered-exact', subscription: 's', bufferSize: 1000 });
      h.broker.faults.failNext('SendMessage', 2, status.RESOURCE_EXHAUSTED);
      await Promise.all(Array.from({ length: 100 }, (_, i) => producer.send(String(i))));
      const got = await receiveN(consumer, 100);
      expect(got.map(text)).toEqual(Array.from({ length: 100 }, (_, i) => String(i)));
    });

    it('pipelined mode keeps at most maxInFlight sends outstanding and flush() waits for all', async () => {
      const producer = await h.client.createProducer({ topic: '/default/pipelined', name: 'pipe', dispatch: 'reliable', mode: 'pipelined', maxInFlight: 8 });
      const consumer = await h.client.subscribe({ topic: '/default/pipelined', subscription: 's', bufferSize: 1000 });
      h.broker.faults.delay('SendMessage', 20, 40);
      let settled = 0;
      const started = Date.now();
      for (let i = 0; i < 40; i++) void producer.send(`p${i}`).then(() => settled++);
      await producer.flush();
      // 40 sends delayed 20 ms each, 8 at a time: at least 5 rounds, and all done at flush.
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
      await new Promise((r) => setImmediate(r));
      expect(settled).toBe(40);
      const got = await receiveN(consumer, 40);
      expect(got.map(text).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `p${i}`).sort());
    });

    it('retries UNAVAILABLE / DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED and surfaces other errors typed', async () => {
      const producer = await h.client.createProducer({ topic: '/default/retries', name: 'retry', mode: 'pipelined' });
      h.broker.faults.failNext('SendMessage', 1, status.UNAVAILABLE);
      h.broker.faults.failNext('SendMessage', 1, status.DEADLINE_EXCEEDED);
      h.broker.faults.failNext('SendMessage', 1, status.RESOURCE_EXHAUSTED);
      await expect(producer.send('a')).resolves.toMatchObject({ topic: '/default/retries' });
      h.broker.faults.failNext('SendMessage', 1, status.PERMISSION_DENIED, 'Unable to publish the message: topic draining');
      const err = await producer.send('b').catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'PermissionDeniedError', code: status.PERMISSION_DENIED, topic: '/default/retries', retryable: false });
      expect((err as Error).message).toContain('topic draining');
    });
  });
});
