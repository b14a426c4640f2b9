import { describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../../../src/checkpoint/index.js';
import { FatalError, InvalidRecordError, RetryableError, SourceRecord } from '../../../src/core/index.js';
import { defineSource, runSource, SourceRunError, RECORD_ID_ATTRIBUTE } from '../../../src/source/index.js';
import { FakeClient } from './fake-client.js';

const FAST_RETRY = { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 5 };

/** A source over a fixed list: checkpoint = next index; `size` records per poll. */
function listSource(items: string[], size = 2, extra: Partial<Parameters<typeof defineSource<number>>[0]> = {}) {
  let polls = 0;
  const source = defineSource<number>({
    name: 'numbers',
    topic: '/default/numbers',
    initialCheckpoint: 0,
    retry: FAST_RETRY,
    async poll({ checkpoint }) {
      polls++;
      const from = checkpoint ?? 0;
      const slice = items.slice(from, from + size);
      return { records: slice.map((s) => SourceRecord.fromString(s, { key: `k-${s}` })), checkpoint: from + slice.length, done: from + size >= items.length };
    },
    ...extra,
  });
  return { source, polls: () => polls };
}

describe('runSource', () => {
  it('publishes every batch, commits after each, and reports what it did', async () => {
    const client = new FakeClient();
    const store = new MemoryCheckpointStore();
    const { source } = listSource(['a', 'b', 'c', 'd', 'e'], 2);
    const summary = await runSource(source, { client, store, budgetMs: 10_000, service: 'shop', owner: 'run-1' });
    expect(client.sent.map((s) => s.payload)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(summary).toMatchObject({
      source: 'numbers',
      key: 'shop/numbers',
      owner: 'run-1',
      stopReason: 'done',
      recordsPublished: 5,
      batches: 3,
      checkpointAfter: 5,
      versionBefore: '0',
      versionAfter: '3',
    });
    expect(summary.checkpointBefore).toBeUndefined();
    expect(await store.get('shop/numbers')).toMatchObject({ checkpoint: 5, version: 3n });
    expect((await store.get('shop/numbers'))?.leaseOwner).toBeUndefined();
    expect(client.producers).toEqual([{ topic: '/default/numbers', name: 'numbers--default-numbers', mode: 'pipelined', closed: true }]);
    expect(client.sent[0]?.key).toBe('k-a');
  });

  it('gives each record a stable id derived from the checkpoint it was polled from', async () => {
    const first = new FakeClient();
    const { source } = listSource(['a', 'b', 'c'], 2);
    await runSource(source, { client: first, store: new MemoryCheckpointStore(), budgetMs: 10_000 });
    const second = new FakeClient();
    await runSource(source, { client: second, store: new MemoryCheckpointStore(), budgetMs: 10_000 });
    const ids = first.sent.map((s) => s.attributes[RECORD_ID_ATTRIBUTE]);
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toMatch(/^numbers@[0-9a-f]{16}:0$/);
    expect(second.sent.map((s) => s.attributes[RECORD_ID_ATTRIBUTE])).toEqual(ids);
  });

  it('keeps an id the connector set itself', async () => {
    const client = new FakeClient();
    const source = defineSource({
      name: 'given',
      topic: '/default/t',
      poll: async () => ({ records: [SourceRecord.fromString('x', { attributes: { [RECORD_ID_ATTRIBUTE]: 'order-17' } })], checkpoint: 1, done: true }),
    });
    await runSource(source, { client, store: new MemoryCheckpointStore(), budgetMs: 5_000 });
    expect(client.sent[0]?.attributes[RECORD_ID_ATTRIBUTE]).toBe('order-17');
  });

  it('publishes nothing while another run holds the lease, and says so', async () => {
    const client = new FakeClient();
    const store = new MemoryCheckpointStore();
    await store.acquireLease('default/numbers', { owner: 'other-run', ttlMs: 60_000 });
    const { source, polls } = listSource(['a']);
    const summary = await runSource(source, { client, store, budgetMs: 5_000 });
    expect(summary).toMatchObject({ stopReason: 'lease-held', leaseHeldBy: 'other-run', recordsPublished: 0 });
    expect(polls()).toBe(0);
    expect(client.sent).toEqual([]);
  });

  it('leaves the checkpoint where it was when a publish fails for good', async () => {
    const client = new FakeClient();
    const store = new MemoryCheckpointStore();
    const { source } = listSource(['a', 'b', 'c', 'd'], 2);
    client.failSend = (payload) => {
      if (payload === 'c') throw new FatalError('broker refused');
    };
    const err = await runSource(source, { client, store, budgetMs: 5_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceRunError);
    expect((err as Error).message).toContain('broker refused');
    expect((err as SourceRunError).summary).toMatchObject({ stopReason: 'error', batches: 1, recordsPublished: 2, checkpointAfter: 2 });
    expect(await store.get('default/numbers')).toMatchObject({ checkpoint: 2, version: 1n });
    expect((await store.get('default/numbers'))?.leaseOwner).toBeUndefined();
  });

  it('retries a retryable publish failure and commits once all records are accepted', async () => {
    const client = new FakeClient();
    let failures = 2;
    client.failSend = (payload) => {
      if (payload === 'b' && failures-- > 0) throw new RetryableError('unavailable');
    };
    const { source } = listSource(['a', 'b', 'c'], 3, { ordering: 'partition' });
    const summary = await runSource(source, { client, store: new MemoryCheckpointStore(), budgetMs: 5_000 });
    expect(summary).toMatchObject({ stopReason: 'done', recordsPublished: 3, retries: 2 });
    expect(client.producers[0]?.mode).toBe('ordered');
    // Partition order: 'c' is sent again after 'b' each time, so it never overtakes it.
    const order = client.sent.map((s) => s.payload);
    expect(order.lastIndexOf('b')).toBeLessThan(order.lastIndexOf('c'));
  });

  it('keeps each key in order across a failed send, and lets other keys through', async () => {
    const client = new FakeClient();
    let failures = 1;
    client.failSend = (payload) => {
      if (payload === 'a1' && failures-- > 0) throw new RetryableError('unavailable');
    };
    const source = defineSource({
      name: 'keyed',
      topic: '/default/keyed',
      retry: FAST_RETRY,
      poll: async () => ({
        records: ['a1', 'b1', 'a2', 'b2', 'a3'].map((s) => SourceRecord.fromString(s, { key: s[0] })),
        checkpoint: 1,
        done: true,
      }),
    });
    const summary = await runSource(source, { client, store: new MemoryCheckpointStore(), budgetMs: 5_000 });
    expect(summary).toMatchObject({ recordsPublished: 5, retries: 1 });
    // 'a2' and 'a3' waited for 'a1'; key b was not held up by it and nothing was sent twice.
    expect(client.sent.filter((s) => s.key === 'a').map((s) => s.payload)).toEqual(['a1', 'a2', 'a3']);
    expect(client.sent.filter((s) => s.key === 'b').map((s) => s.payload)).toEqual(['b1', 'b2']);
    expect(client.sent.map((s) => s.payload).indexOf('b2')).toBeLessThan(client.sent.map((s) => s.payload).indexOf('a1'));
  });

  it('dead-letters invalid records with the reason and goes on', async () => {
    const client = new FakeClient();
    const source = defineSource({
      name: 'routed',
      deadLetterTopic: '/default/numbers-dlq',
      ordering: 'none',
      route: (r) => {
        const text = new TextDecoder().decode(r.payload);
        if (text === 'bad') throw new InvalidRecordError('no route for "bad"', { record: r });
        return '/default/numbers';
      },
      poll: async () => ({ records: ['ok1', 'bad', 'ok2'].map((s) => SourceRecord.fromString(s)), checkpoint: 3, done: true }),
    });
    const summary = await runSource(source, { client, store: new MemoryCheckpointStore(), budgetMs: 5_000 });
    expect(summary).toMatchObject({ recordsPublished: 2, recordsDeadLettered: 1, stopReason: 'done' });
    const dlq = client.sent.filter((s) => s.topic === '/default/numbers-dlq');
    expect(dlq).toHaveLength(1);
    expect(dlq[0]?.payload).toBe('bad');
    expect(dlq[0]?.attributes).toMatchObject({
      'x-dlq-reason': 'invalid-record',
      'x-dlq-error': 'no route for "bad"',
      'x-dlq-error-class': 'InvalidRecordError',
      'x-dlq-origin': 'source:routed',
    });
    expect(client.producers.find((p) => p.topic === '/default/numbers')?.mode).toBe('pipelined');
  });

  it('fails the run on an invalid record when the source has no dead-letter topic', async () => {
    const client = new FakeClient();
    client.failSend = (payload) => {
      if (payload === 'b') throw Object.assign(new Error('message of 6 MB exceeds the limit'), { name: 'MessageTooLargeError', kind: 'too-large' });
    };
    const store = new MemoryCheckpointStore();
    const { source } = listSource(['a', 'b'], 2);
    await expect(runSource(source, { client, store, budgetMs: 5_000 })).rejects.toThrow(/record numbers@.*:1 is invalid .*6 MB.* no deadLetterTopic/);
    expect((await store.get('default/numbers'))?.checkpoint).toBeUndefined();
  });

  it('backs off on retryable poll errors and fails loudly on a fatal one', async () => {
    let calls = 0;
    const flaky = defineSource({
      name: 'flaky',
      topic: '/default/t',
      retry: FAST_RETRY,
      poll: async () => {
        if (++calls < 3) throw new RetryableError('upstream 503');
        return { records: [SourceRecord.fromString('x')], checkpoint: 'c1', done: true };
      },
    });
    const store = new MemoryCheckpointStore();
    const summary = await runSource(flaky, { client: new FakeClient(), store, budgetMs: 5_000 });
    expect(summary).toMatchObject({ retries: 2, recordsPublished: 1, checkpointAfter: 'c1' });

    const broken = defineSource({
      name: 'broken',
      topic: '/default/t',
      retry: FAST_RETRY,
      poll: async () => {
        throw new FatalError('API token rejected');
      },
    });
    const err = await runSource(broken, { client: new FakeClient(), store, budgetMs: 5_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceRunError);
    expect((err as Error).message).toBe('source broken: run failed; checkpoint left where it was: API token rejected');
    expect(await store.get('default/broken')).toMatchObject({ version: 0n });
    expect((await store.get('default/broken'))?.leaseOwner).toBeUndefined();
  });

  it('stops when the budget is spent and commits what it published', async () => {
    const source = defineSource<number>({
      name: 'endless',
      topic: '/default/t',
      poll: async ({ checkpoint, signal }) => {
        await new Promise((r) => setTimeout(r, 60));
        signal.throwIfAborted();
        const n = (checkpoint ?? 0) + 1;
        return { records: [SourceRecord.fromJson({ n })], checkpoint: n };
      },
    });
    const store = new MemoryCheckpointStore();
    const t0 = Date.now();
    const summary = await runSource(source, { client: new FakeClient(), store, budgetMs: 500, safetyMarginMs: 100 });
    expect(Date.now() - t0).toBeLessThan(500);
    expect(summary.stopReason).toBe('budget');
    expect(summary.batches).toBeGreaterThanOrEqual(3);
    expect((await store.get('default/endless'))?.checkpoint).toBe(summary.batches);
  });

  it('stops before publishing when an operator forced a new checkpoint during the poll', async () => {
    const client = new FakeClient();
    const store = new MemoryCheckpointStore();
    let release!: () => void;
    const source = defineSource({
      name: 'forced',
      topic: '/default/t',
      poll: async () => {
        await new Promise<void>((r) => (release = r));
        return { records: [SourceRecord.fromString('late')], checkpoint: 'from-run', done: true };
      },
    });
    const run = runSource(source, { client, store, budgetMs: 5_000, leaseMs: 150 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    await store.set('default/forced', 'from-operator', { force: true });
    await new Promise((r) => setTimeout(r, 120)); // a renewal notices
    release();
    const err = await run;
    expect(err).toBeInstanceOf(SourceRunError);
    expect((err as Error).message).toMatch(/checkpoint version is 1, expected 0/);
    expect(client.sent).toEqual([]);
    expect((await store.get('default/forced'))?.checkpoint).toBe('from-operator');
  });

  it('ends at once when a poll brings nothing new', async () => {
    const client = new FakeClient();
    const store = new MemoryCheckpointStore();
    await store.set('default/idle', 'cursor-9');
    const source = defineSource({ name: 'idle', topic: '/default/t', poll: async ({ checkpoint }) => ({ records: [], checkpoint: checkpoint! }) });
    const summary = await runSource(source, { client, store, budgetMs: 5_000 });
    expect(summary).toMatchObject({ stopReason: 'done', batches: 0, checkpointBefore: 'cursor-9', checkpointAfter: 'cursor-9' });
    expect(client.producers).toEqual([]);
  });
});

describe('defineSource', () => {
  const poll = async () => ({ records: [], checkpoint: 0 });
  it('names an unknown key', () => {
    expect(() => defineSource({ name: 's', topic: '/default/t', poll, partitons: 3 } as never)).toThrow(/partitons: unknown key/);
  });
  it('wants a topic or a route, not both', () => {
    expect(() => defineSource({ name: 's', poll })).toThrow(/give "topic" or "route"/);
    expect(() => defineSource({ name: 's', poll, topic: '/default/t', route: () => '/default/u' })).toThrow(/not both/);
  });
  it('refuses a name that cannot be part of a checkpoint key', () => {
    expect(() => defineSource({ name: 'a/b', topic: '/default/t', poll })).toThrow(/name/);
  });
});
