// runSource end to end: embedded broker over real gRPC, real DanubeClient, and the checkpoint
// table on dynalite and on DynamoDB Local (same test code for both).
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DanubeClient } from '../../../src/client/index.js';
import { CheckpointStoreError, DynamoDbCheckpointStore, FencedError, type Lease } from '../../../src/checkpoint/index.js';
import { FatalError, InvalidRecordError } from '../../../src/core/index.js';
import { runSource, SourceRunError, type SourceClient } from '../../../src/source/index.js';
import { LOCAL_DYNAMOS, localDynamoClient } from '../../support/dynamo.js';
import { drain, gate, idOf, itemOf, listSource, setup, TABLE, watch, type Env } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

for (const server of LOCAL_DYNAMOS) {
  describe(`runSource with ${server.name}`, () => {
    let env: Env;
    beforeAll(async () => {
      env = await setup(server.start);
    });
    afterAll(async () => env?.close());
    const base = () => ({ client: env.client, store: env.store, budgetMs: 10_000, service: 'it' });

    it('publishes every record once, per key in order, and commits after each batch', async () => {
      const consumer = await watch(env.client, '/default/all-once');
      const summary = await runSource(listSource('all-once', '/default/all-once', 25, 5), base());
      expect(summary).toMatchObject({ stopReason: 'done', recordsPublished: 25, batches: 5, checkpointAfter: 25, versionBefore: '0', versionAfter: '5' });
      const got = await drain(consumer, 25);
      expect(got.map(itemOf).sort((a, b) => a - b)).toEqual(range(25));
      expect(new Set(got.map(idOf)).size).toBe(25);
      for (const key of ['k0', 'k1', 'k2']) {
        const items = got.filter((m) => m.routingKey === key).map(itemOf);
        expect(items).toEqual([...items].sort((a, b) => a - b));
      }
      expect(await env.store.get('it/all-once')).toMatchObject({ checkpoint: 25, version: 5n });
      expect((await env.store.get('it/all-once'))?.leaseOwner).toBeUndefined();
    });

    it('publishes nothing from a second run while the first holds the lease, and says so', async () => {
      const consumer = await watch(env.client, '/default/held');
      const g = gate();
      const first = runSource(listSource('held', '/default/held', 4, 4, { beforePoll: () => g.wait }), { ...base(), owner: 'run-A' });
      await sleep(100);
      const second = await runSource(listSource('held', '/default/held', 4, 4), { ...base(), owner: 'run-B' });
      expect(second).toMatchObject({ stopReason: 'lease-held', leaseHeldBy: 'run-A', recordsPublished: 0, batches: 0 });
      g.open();
      expect(await first).toMatchObject({ stopReason: 'done', recordsPublished: 4 });
      expect((await drain(consumer, 4)).map(itemOf)).toEqual([0, 1, 2, 3]);
    });

    it('lets exactly one of two simultaneous runs publish', async () => {
      const consumer = await watch(env.client, '/default/twin');
      const runs = await Promise.all(['x', 'y'].map((owner) => runSource(listSource('twin', '/default/twin', 9, 3), { ...base(), owner })));
      expect(runs.map((r) => r.stopReason).sort()).toEqual(['done', 'lease-held']);
      const got = await drain(consumer, 9);
      expect(got.map(itemOf)).toEqual(range(9));
    });

    it('keeps its lease through a poll longer than the lease, by renewing it', async () => {
      const g = gate();
      const slow = runSource(listSource('renewed', '/default/renewed', 2, 2, { beforePoll: () => g.wait }), { ...base(), owner: 'slow', leaseMs: 300 });
      await sleep(800);
      const other = await runSource(listSource('renewed', '/default/renewed', 2, 2), { ...base(), owner: 'other' });
      expect(other).toMatchObject({ stopReason: 'lease-held', leaseHeldBy: 'slow' });
      g.open();
      expect(await slow).toMatchObject({ stopReason: 'done', recordsPublished: 2 });
    });

    it('fences a run that lost its lease (cut off from the table) after another took over: its commit is refused', async () => {
      const consumer = await watch(env.client, '/default/fenced');
      // Run A cannot reach the table while it polls (renewals fail), so its lease runs out.
      let cutOff = false;
      class PartitionedStore extends DynamoDbCheckpointStore {
        override async renewLease<C>(lease: Lease<C>, ttlMs?: number): Promise<Lease<C>> {
          if (cutOff) throw new CheckpointStoreError('network unreachable', lease.key, true);
          return super.renewLease(lease, ttlMs);
        }
      }
      const storeA = new PartitionedStore({ tableName: TABLE, client: localDynamoClient(env.dynamo.endpoint) });
      const g = gate();
      const slow = listSource('fenced', '/default/fenced', 6, 3, {
        beforePoll: async (from) => {
          if (from === 0) (cutOff = true), await g.wait, (cutOff = false);
        },
      });
      const a = runSource(slow, { ...base(), store: storeA, owner: 'A', leaseMs: 300 }).catch((e: unknown) => e);
      await sleep(450);
      const b = await runSource(listSource('fenced', '/default/fenced', 6, 3), { ...base(), owner: 'B' });
      expect(b).toMatchObject({ stopReason: 'done', recordsPublished: 6, checkpointAfter: 6 });
      g.open();
      const err = await a;
      storeA.close();
      expect(err).toBeInstanceOf(SourceRunError);
      expect((err as SourceRunError).cause).toBeInstanceOf(FencedError);
      expect((err as SourceRunError).cause).toMatchObject({ reason: 'lease-lost' });
      expect((err as SourceRunError).summary).toMatchObject({ stopReason: 'error', batches: 0 });
      expect(await env.store.get('it/fenced')).toMatchObject({ checkpoint: 6, version: 2n });
      // A may have published its batch before its commit was refused: duplicates of B's first
      // batch with the same ids, never a different value under an id.
      const got = await drain(consumer, 6);
      expect([...new Set(got.map(itemOf))].sort((x, y) => x - y)).toEqual(range(6));
      const byId = new Map<string, number>();
      for (const m of got) {
        const id = idOf(m)!;
        expect(byId.get(id) ?? itemOf(m)).toBe(itemOf(m));
        byId.set(id, itemOf(m));
      }
      expect(byId.size).toBe(6);
    });

    it('commits a batch only after the broker accepted every record of it', async () => {
      const events: string[] = [];
      const watched: SourceClient = {
        async createProducer(options) {
          const p = await env.client.createProducer(options);
          return {
            send: async (payload, o) => {
              const r = await p.send(payload, o);
              events.push(`sent:${JSON.parse(Buffer.from(payload as Uint8Array).toString()).item}`);
              return r;
            },
            flush: () => p.flush(),
            close: () => p.close(),
          };
        },
      };
      class WatchedStore extends DynamoDbCheckpointStore {
        override async commit<C>(lease: Lease<C>, checkpoint: C, ttlMs?: number): Promise<Lease<C>> {
          events.push(`commit:${String(checkpoint)}`);
          return super.commit(lease, checkpoint, ttlMs);
        }
      }
      const store = new WatchedStore({ tableName: TABLE, client: localDynamoClient(env.dynamo.endpoint) });
      env.broker.faults.delay('SendMessage', 40, 12);
      await runSource(listSource('after-publish', '/default/after-publish', 12, 4, { ordering: 'none' }), { ...base(), client: watched, store });
      for (const commit of ['commit:4', 'commit:8', 'commit:12']) {
        const upTo = Number(commit.split(':')[1]);
        const at = events.indexOf(commit);
        expect(at).toBeGreaterThan(-1);
        for (let i = 0; i < upTo; i++) {
          const sent = events.indexOf(`sent:${i}`);
          expect(sent, `record ${i} was accepted before ${commit}`).toBeGreaterThan(-1);
          expect(sent).toBeLessThan(at);
        }
      }
      store.close();
    });

    it('leaves the checkpoint where it was when publishing fails, and the next run fills the gap', async () => {
      const consumer = await watch(env.client, '/default/outage');
      const source = listSource('outage', '/default/outage', 12, 4, {
        beforePoll: (from) => {
          if (from === 4) env.broker.faults.failNext('SendMessage', 10_000, status.UNAVAILABLE);
        },
      });
      // A client that gives up on a send quickly, so the outage is noticed in well under a second.
      const impatient = new DanubeClient({ serviceUrl: env.broker.url, requestTimeoutMs: 300, retry: { maxRetries: 1, baseBackoffMs: 10, maxBackoffMs: 20 } });
      const err = await runSource(source, { ...base(), client: impatient }).catch((e: unknown) => e);
      await impatient.close();
      env.broker.faults.clear();
      expect(err).toBeInstanceOf(SourceRunError);
      expect((err as SourceRunError).summary).toMatchObject({ stopReason: 'error', batches: 1, checkpointAfter: 4 });
      expect(await env.store.get('it/outage')).toMatchObject({ checkpoint: 4, version: 1n });
      const retried = await runSource(listSource('outage', '/default/outage', 12, 4), base());
      expect(retried).toMatchObject({ stopReason: 'done', checkpointBefore: 4, checkpointAfter: 12, recordsPublished: 8 });
      expect([...new Set((await drain(consumer, 12)).map(itemOf))].sort((a, b) => a - b)).toEqual(range(12));
    });

    it('after a crash between publish and commit, republishes that batch with the same ids: duplicates, no gaps', async () => {
      const consumer = await watch(env.client, '/default/crash');
      // The process "dies" on its second commit: no commit, no release; the lease runs out.
      class CrashingStore extends DynamoDbCheckpointStore {
        commits = 0;
        override async commit<C>(lease: Lease<C>, checkpoint: C, ttlMs?: number): Promise<Lease<C>> {
          if (++this.commits === 2) throw new FatalError('process crashed');
          return super.commit(lease, checkpoint, ttlMs);
        }
        override async releaseLease(): Promise<boolean> {
          return false;
        }
      }
      const crashing = new CrashingStore({ tableName: TABLE, client: localDynamoClient(env.dynamo.endpoint) });
      await expect(runSource(listSource('crash', '/default/crash', 12, 4), { ...base(), store: crashing, leaseMs: 400 })).rejects.toThrow(/process crashed/);
      crashing.close();
      expect(await env.store.get('it/crash')).toMatchObject({ checkpoint: 4 });
      const blocked = await runSource(listSource('crash', '/default/crash', 12, 4), base());
      expect(blocked.stopReason).toBe('lease-held');
      await sleep(450);
      const next = await runSource(listSource('crash', '/default/crash', 12, 4), base());
      expect(next).toMatchObject({ stopReason: 'done', checkpointBefore: 4, checkpointAfter: 12 });
      const got = await drain(consumer, 16);
      const counts = new Map<number, number>();
      for (const m of got) counts.set(itemOf(m), (counts.get(itemOf(m)) ?? 0) + 1);
      expect([...counts.keys()].sort((a, b) => a - b)).toEqual(range(12));
      expect(range(12).filter((i) => counts.get(i) === 2)).toEqual([4, 5, 6, 7]);
      const dupIds = got.filter((m) => itemOf(m) === 5).map(idOf);
      expect(dupIds[0]).toBe(dupIds[1]);
    });

    it('sends invalid records to the dead-letter topic with the reason', async () => {
      const main = await watch(env.client, '/default/routed');
      const dlq = await watch(env.client, '/default/routed-dlq');
      const source = listSource('routed', '/default/routed', 5, 5, { deadLetterTopic: '/default/routed-dlq' });
      const routed = {
        ...source,
        topic: undefined,
        route: (r: { payload: Uint8Array }) => {
          const item = JSON.parse(Buffer.from(r.payload).toString()).item as number;
          if (item === 2) throw new InvalidRecordError('item 2 has no destination');
          return '/default/routed';
        },
      };
      const summary = await runSource(routed, base());
      expect(summary).toMatchObject({ recordsPublished: 4, recordsDeadLettered: 1, checkpointAfter: 5 });
      expect((await drain(main, 4)).map(itemOf)).toEqual([0, 1, 3, 4]);
      const dead = await drain(dlq, 1);
      expect(dead.map(itemOf)).toEqual([2]);
      expect(dead[0]!.attributes).toMatchObject({
        'x-dlq-reason': 'invalid-record',
        'x-dlq-error': 'item 2 has no destination',
        'x-dlq-error-class': 'InvalidRecordError',
        'x-dlq-origin': 'source:routed',
        'x-dlq-attempts': '1',
      });
      expect(dead[0]!.attributes['x-original-record-id']).toBe(idOf(dead[0]!));
      expect(idOf(dead[0]!)).toMatch(/^routed@/);
    });
  });
}
