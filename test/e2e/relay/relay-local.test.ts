// The relay end to end over the local (in-process) invoker: embedded broker on 127.0.0.1,
// real gRPC client, real sinks. Each test uses its own topic and subscription.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../src/core/errors.js';
import type { SinkRecord } from '../../../src/core/records.js';
import { startRelay, type Relay } from '../../../src/relay/index.js';
import { binding, collector, createTopic, indexOf, publish, startEnv, waitFor, type Env } from './helpers.js';

let env: Env;
const relays: Relay[] = [];
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()));
  await env.close();
});

async function relay(...args: Parameters<typeof startRelay>): Promise<Relay> {
  const r = await startRelay(args[0], { client: env.client, ...args[1] });
  relays.push(r);
  return r;
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('relay over the local invoker', () => {
  it('delivers every record once when the function succeeds, and reports it on /metrics and /readyz', async () => {
    const topic = createTopic(env, 'ok');
    const seen: number[] = [];
    const sizes: number[] = [];
    const r = await relay(
      { port: 0, bindings: [binding({ name: 'ok', topic, batchSize: 20 })] },
      {
        sinks: {
          ok: (records) => {
            sizes.push(records.length);
            seen.push(...records.map(indexOf));
          },
        },
      },
    );
    expect((await fetch(`${r.url}/readyz`)).status).toBe(200);
    await publish(env.client, topic, 100);
    await waitFor(() => r.status().bindings[0]!.counts.succeeded === 100, 10_000, '100 acks');
    expect(sorted(seen)).toEqual(range(100));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(20);
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    expect(metrics).toContain('danube_relay_records_received_total{binding="ok"} 100');
    expect(metrics).toContain('danube_relay_records_succeeded_total{binding="ok"} 100');
    expect(metrics).toMatch(/danube_relay_invoke_duration_seconds_count\{binding="ok"\} \d+/);
    expect(metrics).toMatch(/danube_relay_batch_size_bucket\{le="\+Inf",binding="ok"\} \d+/);
    expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
  });

  it('reads a partitioned non-reliable topic promptly from every partition', async () => {
    const topic = createTopic(env, 'nonrel', 3, 'non-reliable');
    const seen: number[] = [];
    const partitions = new Set<string>();
    const r = await relay(
      { bindings: [binding({ name: 'nonrel', topic, subscription: { name: 'nonrel-sub', dispatch: 'non-reliable', maxUnackedMessages: 1000 } })] },
      {
        sinks: {
          nonrel: (records) => {
            for (const x of records) {
              seen.push(indexOf(x));
              partitions.add(x.topic);
            }
          },
        },
      },
    );
    await publish(env.client, topic, 30, { dispatch: 'non-reliable', key: (i) => `k${i}` });
    await waitFor(() => seen.length === 30, 10_000, 'all read');
    expect(sorted(seen)).toEqual(range(30));
    expect(partitions.size).toBe(3);
    expect(r.status().bindings[0]!.counts.succeeded).toBe(30);
  });

  it('on a partial failure acks the others and retries only the failed records', async () => {
    const topic = createTopic(env, 'partial');
    const calls = new Map<number, number>();
    const r = await relay(
      { bindings: [binding({ name: 'partial', topic, ordering: 'none' })] },
      {
        sinks: {
          partial: (records: SinkRecord[]) => {
            const failures = [];
            for (const rec of records) {
              const i = indexOf(rec);
              calls.set(i, (calls.get(i) ?? 0) + 1);
              if (i % 3 === 0 && rec.attempt === 1) failures.push({ itemIdentifier: rec.id });
            }
            return { batchItemFailures: failures };
          },
        },
      },
    );
    await publish(env.client, topic, 30);
    await waitFor(() => r.status().bindings[0]!.counts.succeeded === 30, 10_000, 'all acked');
    for (const i of range(30)) expect(calls.get(i), `record ${i}`).toBe(i % 3 === 0 ? 2 : 1);
    expect(r.status().bindings[0]!.counts.retried).toBe(10);
  });

  it('on an ordered partition acks only before the lowest failed offset and resends from it, in order', async () => {
    const topic = createTopic(env, 'ordered-partial');
    const log: Array<[number, number]> = []; // [index, attempt] in the order the sink saw them
    const r = await relay(
      { bindings: [binding({ name: 'ordered', topic, ordering: 'partition', batchSize: 10, maxBatchingWindowMs: 200 })] },
      {
        sinks: {
          ordered: (records: SinkRecord[]) => {
            for (const rec of records) log.push([indexOf(rec), rec.attempt]);
            const bad = records.find((rec) => indexOf(rec) === 3 && rec.attempt === 1);
            return { batchItemFailures: bad ? [{ itemIdentifier: bad.id }] : [] };
          },
        },
      },
    );
    await publish(env.client, topic, 10);
    await waitFor(() => r.status().bindings[0]!.counts.succeeded === 10, 10_000, 'all acked');
    const firstPass = log.filter(([, a]) => a === 1).map(([i]) => i);
    const secondPass = log.filter(([, a]) => a === 2).map(([i]) => i);
    expect(firstPass).toEqual(range(10));
    expect(secondPass).toEqual(range(7, 3)); // 3..9 again, in order; 0..2 were acked
  });

  it('retries a failing batch with backoff, then dead-letters it with the dead-letter envelope', async () => {
    const topic = createTopic(env, 'fail');
    const dlqTopic = createTopic(env, 'fail-dlq');
    const dlq = await collector(env.client, dlqTopic);
    let calls = 0;
    const r = await relay(
      { bindings: [binding({ name: 'fail', topic, deadLetterTopic: dlqTopic, maxRetryAttempts: 2 })] },
      {
        sinks: {
          fail: () => {
            calls++;
            throw new Error('warehouse down');
          },
        },
      },
    );
    await publish(env.client, topic, 3, { attributes: (i) => ({ 'content-type': 'application/json', n: String(i) }) });
    await waitFor(() => dlq.got.length === 3, 10_000, '3 dead letters');
    const first = dlq.got.find((m) => m.attributes.n === '0')!;
    expect(JSON.parse(first.payload)).toEqual({ i: 0 });
    expect(first.attributes).toMatchObject({
      'content-type': 'application/json',
      n: '0',
      'x-dlq-reason': 'retries-exhausted',
      'x-dlq-origin': 'relay:fail',
      'x-dlq-attempts': '3',
      'x-dlq-error-class': 'RetryableError',
      'x-original-topic': topic,
    });
    expect(first.attributes['x-dlq-error']).toMatch(/warehouse down/);
    const offset = first.attributes['x-original-offset']!;
    expect(offset).toMatch(/^\d+$/);
    expect(first.attributes['x-original-record-id']).toBe(`${topic}@${offset}`);
    const [firstFailure, lastFailure, published] = ['x-dlq-first-failure-at', 'x-dlq-last-failure-at', 'x-original-publish-time'].map((k) =>
      Number(first.attributes[k]),
    );
    expect(published).toBeLessThanOrEqual(firstFailure!);
    expect(firstFailure).toBeLessThan(lastFailure!);
    expect(calls).toBeGreaterThanOrEqual(3);
    await waitFor(() => r.status().bindings[0]!.counts.deadLettered === 3);
    await dlq.close();
  });

  it('never takes records for a function that cannot be imported: the binding is unavailable, its records stay on the broker', async () => {
    const topic = createTopic(env, 'unreachable');
    const dlqTopic = createTopic(env, 'unreachable-dlq');
    const r = await relay({
      bindings: [
        binding({ name: 'unreachable', topic, deadLetterTopic: dlqTopic, maxRetryAttempts: 0, function: { type: 'local', module: './no-such-sink.js' } }),
      ],
    });
    await publish(env.client, topic, 2);
    await new Promise((done) => setTimeout(done, 500));
    const s = r.status().bindings[0]!;
    expect(s).toMatchObject({ state: 'unavailable', subscribed: false, counts: { received: 0, invocations: 0, deadLettered: 0 } });
    expect(s.lastError).toMatch(/cannot import sink module \.\/no-such-sink\.js/);
    expect(r.readiness().notReady).toEqual([{ binding: 'unreachable', reasons: ['sink-unavailable'], lastError: s.lastError }]);
    expect(env.broker.admin.describeTopic(topic)?.subscriptions ?? []).toEqual([]);
  });

  it('without a dead-letter topic keeps retrying and reports the records as stuck', async () => {
    const topic = createTopic(env, 'stuck');
    const r = await relay(
      { bindings: [binding({ name: 'stuck', topic, maxRetryAttempts: 0 })] },
      {
        sinks: {
          stuck: () => {
            throw new Error('nope');
          },
        },
      },
    );
    await publish(env.client, topic, 2);
    await waitFor(() => r.status().bindings[0]!.stuck === 2, 10_000, 'stuck records');
    const s = r.status().bindings[0]!;
    expect(s.counts.deadLettered).toBe(0);
    expect(await r.metrics.render()).toContain('danube_relay_records_retrying_without_dlq{binding="stuck"} 2');
  });

  it('isolates a poison record by bisecting: only it reaches the dead-letter topic', async () => {
    const topic = createTopic(env, 'bisect');
    const dlqTopic = createTopic(env, 'bisect-dlq');
    const dlq = await collector(env.client, dlqTopic);
    const done = new Set<number>();
    const r = await relay(
      {
        bindings: [
          binding({ name: 'bisect', topic, batchSize: 16, maxBatchingWindowMs: 300, bisectOnError: true, maxRetryAttempts: 1, deadLetterTopic: dlqTopic }),
        ],
      },
      {
        sinks: {
          bisect: (records) => {
            if (records.some((x) => indexOf(x) === 11)) throw new Error('poison');
            for (const x of records) done.add(indexOf(x));
          },
        },
      },
    );
    await publish(env.client, topic, 16);
    await waitFor(() => dlq.got.length === 1 && done.size === 15, 10_000, 'poison isolated');
    expect(JSON.parse(dlq.got[0]!.payload)).toEqual({ i: 11 });
    expect(sorted([...done])).toEqual(range(16).filter((i) => i !== 11));
    await waitFor(() => r.status().bindings[0]!.counts.deadLettered === 1, 5_000, 'dead-letter counted');
    await dlq.close();
  });

  it('dead-letters a record the function declares invalid, at once', async () => {
    const topic = createTopic(env, 'invalid');
    const dlqTopic = createTopic(env, 'invalid-dlq');
    const dlq = await collector(env.client, dlqTopic);
    const done: number[] = [];
    await relay(
      { bindings: [binding({ name: 'invalid', topic, deadLetterTopic: dlqTopic, maxRetryAttempts: 5 })] },
      {
        sinks: {
          invalid: (records) => {
            const bad = records.find((x) => indexOf(x) === 2);
            if (bad && bad.attempt === 1) throw new InvalidRecordError('no customer id', { record: bad });
            done.push(...records.map(indexOf));
          },
        },
      },
    );
    await publish(env.client, topic, 4);
    await waitFor(() => dlq.got.length === 1 && new Set(done).size === 3, 10_000);
    expect(dlq.got[0]!.attributes).toMatchObject({ 'x-dlq-reason': 'invalid-record', 'x-dlq-attempts': '1', 'x-dlq-error-class': 'InvalidRecordError' });
    await dlq.close();
  });

  it('dead-letters a record a transform refuses, without invoking the function for it', async () => {
    const topic = createTopic(env, 'transform');
    const dlqTopic = createTopic(env, 'transform-dlq');
    const dlq = await collector(env.client, dlqTopic);
    const seen: unknown[] = [];
    await relay(
      { bindings: [binding({ name: 'transform', topic, deadLetterTopic: dlqTopic, transform: ['json-with-metadata'] })] },
      {
        sinks: { transform: (records) => void seen.push(...records.map((x) => x.json())) },
      },
    );
    await publish(env.client, topic, 3, { body: (i) => (i === 1 ? 'not json' : JSON.stringify({ i })) });
    await waitFor(() => dlq.got.length === 1 && seen.length === 2, 10_000);
    expect(dlq.got[0]!.payload).toBe('not json');
    expect(dlq.got[0]!.attributes).toMatchObject({ 'x-dlq-reason': 'invalid-record' });
    expect(seen).toEqual([expect.objectContaining({ i: 0, _danube: expect.any(Object) }), expect.objectContaining({ i: 2 })]);
    await dlq.close();
  });

  it('moves records older than maxRecordAgeSeconds to the dead-letter topic', async () => {
    const topic = createTopic(env, 'age');
    const dlqTopic = createTopic(env, 'age-dlq');
    const dlq = await collector(env.client, dlqTopic);
    await relay(
      {
        bindings: [
          binding({
            name: 'age',
            topic,
            deadLetterTopic: dlqTopic,
            maxRetryAttempts: -1,
            maxRecordAgeSeconds: 1,
            retryBackoff: { initialDelayMs: 100, maxDelayMs: 200 },
          }),
        ],
      },
      {
        sinks: {
          age: () => {
            throw new Error('down');
          },
        },
      },
    );
    await publish(env.client, topic, 2);
    await waitFor(() => dlq.got.length === 2, 10_000, 'expired records');
    expect(dlq.got.map((m) => m.attributes['x-dlq-reason'])).toEqual(['max-record-age', 'max-record-age']);
    await dlq.close();
  });

  it('acks filtered-out records without invoking the function', async () => {
    const topic = createTopic(env, 'filter');
    const seen: number[] = [];
    const r = await relay(
      {
        bindings: [binding({ name: 'filter', topic, filter: [{ attributes: { type: 'order.*' } }, { json: { vip: true } }] })],
      },
      { sinks: { filter: (records) => void seen.push(...records.map(indexOf)) } },
    );
    await publish(env.client, topic, 20, {
      attributes: (i) => ({ type: i % 2 === 0 ? 'order.created' : 'invoice' }),
      body: (i) => JSON.stringify({ i, vip: i === 5 }),
    });
    await waitFor(() => r.status().bindings[0]!.counts.filtered === 9 && r.status().bindings[0]!.counts.succeeded === 11, 10_000);
    expect(sorted(seen)).toEqual([...range(10).map((i) => i * 2), 5].sort((a, b) => a - b));
    // Everything was acked: nothing is held any more.
    await waitFor(() => r.status().bindings[0]!.oldestUnackedAgeMs === 0, 5_000, 'nothing held');
  });
});
