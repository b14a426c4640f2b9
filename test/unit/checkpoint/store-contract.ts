// The behaviour every CheckpointStore must show, run against the memory store (unit) and against
// dynalite and DynamoDB Local (integration) with the same code.
import { beforeEach, describe, expect, it } from 'vitest';
import { CheckpointFormatError, FencedError, LeaseHeldError, type CheckpointStore } from '../../../src/checkpoint/index.js';

export interface StoreFixture {
  store: CheckpointStore;
  /** The fake clock the store reads; tests move it. */
  clock: { now: number };
}

let counter = 0;

export function describeStoreContract(name: string, make: () => Promise<StoreFixture> | StoreFixture): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    let f: StoreFixture;
    let key: string;
    beforeEach(async () => {
      f = await make();
      key = `svc/source-${++counter}-${Date.now()}`;
    });

    it('reports nothing for a key never written', async () => {
      expect(await f.store.get(key)).toBeUndefined();
    });

    it('gives a free key to the first owner at version 0 with no checkpoint', async () => {
      const lease = await f.store.acquireLease(key, { owner: 'a', ttlMs: 1000 });
      expect(lease).toMatchObject({ key, owner: 'a', version: 0n, until: f.clock.now + 1000 });
      expect(lease.checkpoint).toBeUndefined();
      expect(await f.store.get(key)).toMatchObject({ leaseOwner: 'a', leaseUntil: f.clock.now + 1000, version: 0n });
    });

    it('refuses a live lease to another owner and says who holds it until when', async () => {
      await f.store.acquireLease(key, { owner: 'a', ttlMs: 1000 });
      const err = await f.store.acquireLease(key, { owner: 'b' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LeaseHeldError);
      expect(err).toMatchObject({ owner: 'a', leaseUntil: f.clock.now + 1000, retryable: true });
      expect((err as LeaseHeldError).found?.leaseOwner).toBe('a');
      // The owner itself may take it again (a retried invocation with the same owner id).
      await expect(f.store.acquireLease(key, { owner: 'a', ttlMs: 1000 })).resolves.toMatchObject({ owner: 'a' });
    });

    it('commits under the lease: version + 1, checkpoint stored as JSON, lease extended', async () => {
      const lease = await f.store.acquireLease<{ cursor: number }>(key, { owner: 'a', ttlMs: 1000 });
      f.clock.now += 500;
      const next = await f.store.commit(lease, { cursor: 42 }, 1000);
      expect(next).toMatchObject({ version: 1n, checkpoint: { cursor: 42 }, until: f.clock.now + 1000 });
      const state = await f.store.get(key);
      expect(state).toMatchObject({ checkpoint: { cursor: 42 }, version: 1n, leaseOwner: 'a', updatedAt: f.clock.now });
      const again = await f.store.commit(next, { cursor: 43 });
      expect(again.version).toBe(2n);
    });

    it('fences a commit with a stale version (the lease object was already used)', async () => {
      const lease = await f.store.acquireLease(key, { owner: 'a' });
      await f.store.commit(lease, 1);
      const err = await f.store.commit(lease, 2).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FencedError);
      expect(err).toMatchObject({ reason: 'version-changed', expectedVersion: 0n });
      expect((await f.store.get(key))?.checkpoint).toBe(1);
    });

    it('fences the old holder after its lease expired and another owner took it', async () => {
      const a = await f.store.acquireLease(key, { owner: 'a', ttlMs: 1000 });
      f.clock.now += 1001;
      const b = await f.store.acquireLease(key, { owner: 'b', ttlMs: 1000 });
      expect(b.version).toBe(0n);
      const err = await f.store.commit(a, 'from-a').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FencedError);
      expect(err).toMatchObject({ reason: 'lease-lost', retryable: false });
      expect((err as FencedError).found?.leaseOwner).toBe('b');
      expect((err as Error).message).toContain('held by b');
      await expect(f.store.renewLease(a)).rejects.toBeInstanceOf(FencedError);
      expect(await f.store.releaseLease(a)).toBe(false);
      await f.store.commit(b, 'from-b');
      expect((await f.store.get(key))?.checkpoint).toBe('from-b');
    });

    it('refuses a commit after the lease expired even if nobody took it', async () => {
      const a = await f.store.acquireLease(key, { owner: 'a', ttlMs: 1000 });
      f.clock.now += 1000;
      await expect(f.store.commit(a, 1)).rejects.toMatchObject({ name: 'FencedError', reason: 'lease-lost' });
    });

    it('renews a held lease without touching the checkpoint', async () => {
      const a = await f.store.acquireLease(key, { owner: 'a', ttlMs: 1000 });
      const c = await f.store.commit(a, 'x', 1000);
      f.clock.now += 900;
      const r = await f.store.renewLease(c, 1000);
      expect(r).toMatchObject({ until: f.clock.now + 1000, version: 1n, checkpoint: 'x' });
      f.clock.now += 900;
      await expect(f.store.commit(r, 'y')).resolves.toMatchObject({ version: 2n });
    });

    it('frees the key at once on release', async () => {
      const a = await f.store.acquireLease(key, { owner: 'a', ttlMs: 60_000 });
      const c = await f.store.commit(a, { n: 1 });
      expect(await f.store.releaseLease(c)).toBe(true);
      const state = await f.store.get(key);
      expect(state?.leaseOwner).toBeUndefined();
      const b = await f.store.acquireLease(key, { owner: 'b' });
      expect(b).toMatchObject({ checkpoint: { n: 1 }, version: 1n });
    });

    it('lets exactly one of two simultaneous owners take a free key', async () => {
      const results = await Promise.allSettled([f.store.acquireLease(key, { owner: 'a' }), f.store.acquireLease(key, { owner: 'b' })]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(LeaseHeldError);
    });

    it('refuses set and reset under a live lease unless forced; forcing fences the holder', async () => {
      const a = await f.store.acquireLease(key, { owner: 'a', ttlMs: 1000 });
      await expect(f.store.set(key, { cursor: 0 })).rejects.toBeInstanceOf(LeaseHeldError);
      await expect(f.store.reset(key)).rejects.toBeInstanceOf(LeaseHeldError);
      const forced = await f.store.set(key, { cursor: 7 }, { force: true });
      expect(forced).toMatchObject({ checkpoint: { cursor: 7 }, version: 1n, leaseOwner: 'a' });
      await expect(f.store.commit(a, { cursor: 1 })).rejects.toMatchObject({ reason: 'version-changed' });
      f.clock.now += 1000;
      const reset = await f.store.reset(key);
      expect(reset.checkpoint).toBeUndefined();
      expect(reset.version).toBe(2n);
      expect((await f.store.get(key))?.checkpoint).toBeUndefined();
    });

    it('sets a checkpoint on a key never written', async () => {
      const state = await f.store.set(key, ['a', 1, null]);
      expect(state).toMatchObject({ checkpoint: ['a', 1, null], version: 1n });
      expect(state.leaseOwner).toBeUndefined();
    });

    it('refuses a checkpoint with no JSON form and keeps the stored one', async () => {
      const a = await f.store.acquireLease(key, { owner: 'a' });
      const c = await f.store.commit(a, { big: 2n ** 64n - 1n });
      expect(c.checkpoint).toEqual({ big: '18446744073709551615' });
      await expect(f.store.commit(c, (() => 1) as unknown)).rejects.toBeInstanceOf(CheckpointFormatError);
      expect((await f.store.get(key))?.version).toBe(1n);
    });
  });
}
