import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRecordError, RetryableError, type SinkRecord } from '../../../src/core/index.js';
import { defineSink, forEachRecord, idempotent, MemoryIdempotencyStore, runSink, type IdempotencyStore } from '../../../src/sink/index.js';
import { DynamoDbIdempotencyStore, ensureIdempotencyTable } from '../../../src/sink/dynamodb.js';
import { LOCAL_DYNAMOS, localDynamoClient, type LocalDynamo } from '../../support/dynamo.js';
import { makeEvent } from './make-event.js';

// The same behaviour against the memory store, dynalite and DynamoDB Local (real AWS SDK calls).
type StoreFactory = (now: () => number) => IdempotencyStore;

function behaviour(name: string, setup: () => Promise<{ factory: StoreFactory; close: () => Promise<void> }>) {
  describe(`idempotent records (${name})`, () => {
    let factory: StoreFactory;
    let close: () => Promise<void>;
    beforeAll(async () => ({ factory, close } = await setup()), 60_000);
    afterAll(async () => close?.());

    it('a redelivered batch skips the records already processed', async () => {
      const store = factory(Date.now);
      const written: number[] = [];
      let failOnce = true;
      const sink = defineSink(
        forEachRecord(
          idempotent(
            async (r: SinkRecord) => {
              const n = r.json<{ n: number }>().n;
              if (n === 2 && failOnce) {
                failOnce = false;
                throw new RetryableError('busy');
              }
              written.push(n);
            },
            { store },
          ),
          { ordered: false },
        ),
      );
      const first = await runSink(sink, makeEvent(4));
      expect(first.failures.map((f) => f.itemIdentifier)).toEqual(['/default/orders-part-0@102']);
      const again = await runSink(sink, makeEvent(4));
      expect(again.status).toBe('success');
      expect(written.sort()).toEqual([0, 1, 2, 3]);
    });

    it('a record claimed by a live run is retryable; a lapsed claim is taken over', async () => {
      let clock = Date.now();
      const store = factory(() => clock);
      expect(await store.begin('b#x')).toBe('claimed');
      expect(await store.begin('b#x')).toBe('in-progress');
      clock += 16 * 60_000; // past the 15 min claim
      expect(await store.begin('b#x')).toBe('claimed');
      await store.complete('b#x');
      expect(await store.begin('b#x')).toBe('completed');
      expect((await store.get('b#x'))?.status).toBe('completed');
      clock += 86_400_000 + 1000; // past the TTL
      expect(await store.begin('b#x')).toBe('claimed');
    });

    it('concurrent invocations of one record: exactly one runs it', async () => {
      const store = factory(Date.now);
      const results = await Promise.all(Array.from({ length: 8 }, () => store.begin('b#race')));
      expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
      expect(results.filter((r) => r === 'in-progress')).toHaveLength(7);
    });

    it('a failed record gives its claim back', async () => {
      const store = factory(Date.now);
      const keyOf = (r: SinkRecord) => `failing#${r.id}`;
      const sink = defineSink(
        forEachRecord(
          idempotent(
            async (r: SinkRecord) => {
              throw new InvalidRecordError('bad', { record: r });
            },
            { store, keyOf },
          ),
        ),
      );
      const outcome = await runSink(sink, makeEvent(1));
      expect(outcome.failures[0]?.reason).toBe('invalid');
      expect(await store.get('failing#/default/orders-part-0@100')).toBeUndefined();
    });

    it('keys on the source record id when the record carries one', async () => {
      const store = factory(Date.now);
      let runs = 0;
      const sink = defineSink(
        forEachRecord(
          idempotent(
            async () => {
              runs++;
            },
            { store },
          ),
        ),
      );
      const event = makeEvent(2);
      // The same source record published twice (a source crashed between publish and commit).
      for (const r of event.records) r.attributes['x-danube-record-id'] = `orders#${name}`;
      expect((await runSink(sink, event)).status).toBe('success');
      expect(runs).toBe(1);
      expect((await store.get(`orders-to-pg#orders#${name}`))?.status).toBe('completed');
    });
  });
}

behaviour('memory', async () => ({ factory: (now) => new MemoryIdempotencyStore({ now }), close: async () => {} }));

for (const server of LOCAL_DYNAMOS) {
  behaviour(server.name, async () => {
    const dynamo: LocalDynamo = await server.start();
    const client = localDynamoClient(dynamo.endpoint);
    await ensureIdempotencyTable(client, 'sink-idempotency');
    return {
      // A fresh key space per test through a fresh table would be slow; the tests use distinct keys.
      factory: (now) => new DynamoDbIdempotencyStore({ client, tableName: 'sink-idempotency', now }),
      close: async () => {
        client.destroy();
        await dynamo.close();
      },
    };
  });
}
