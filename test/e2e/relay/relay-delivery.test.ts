// Delivery guarantees of the relay end to end: order per key under concurrency, broker
// redeliveries of in-flight records, graceful shutdown, SIGKILL and restart of a relay process,
// and two relays sharing one subscription.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay } from '../../../src/relay/index.js';
import { binding, createTopic, indexOf, publish, startEnv, waitFor, type Env } from './helpers.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('relay delivery guarantees', () => {
  it('keeps order per key while four batches run at once', async () => {
    const topic = createTopic(env, 'keys');
    const order = new Map<string, number[]>();
    const active = new Set<string>();
    let overlaps = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const relay = await startRelay(
      {
        bindings: [binding({ name: 'keys', topic, ordering: 'key', maxConcurrency: 4, batchSize: 5, maxBatchingWindowMs: 20 })],
      },
      {
        client: env.client,
        sinks: {
          keys: async (records) => {
            const keys = new Set(records.map((r) => r.routingKey!));
            for (const k of keys) if (active.has(k)) overlaps++;
            for (const k of keys) active.add(k);
            maxConcurrent = Math.max(maxConcurrent, ++concurrent);
            await sleep(5 + Math.random() * 15);
            for (const r of records) order.set(r.routingKey!, [...(order.get(r.routingKey!) ?? []), indexOf(r)]);
            for (const k of keys) active.delete(k);
            concurrent--;
          },
        },
      },
    );
    await publish(env.client, topic, 200, { key: (i) => `k${i % 8}` });
    await waitFor(() => relay.status().bindings[0]!.counts.succeeded === 200, 15_000, 'all acked');
    await relay.close();
    expect(overlaps).toBe(0);
    expect(maxConcurrent).toBeGreaterThan(1);
    for (let k = 0; k < 8; k++) expect(order.get(`k${k}`)).toEqual(range(200).filter((i) => i % 8 === k));
  });

  it('does not invoke a record twice when the broker redelivers it during a slow invocation', async () => {
    const topic = createTopic(env, 'redeliver');
    const sub = 'redeliver-sub';
    env.broker.admin.setSubscriptionPolicy(topic, sub, { ackTimeoutMs: 300, baseRedeliveryDelayMs: 50, maxRedeliveryDelayMs: 100 });
    const calls = new Map<number, number>();
    const relay = await startRelay(
      {
        bindings: [
          binding({
            name: 'redeliver',
            topic,
            subscription: { name: sub, ackTimeoutMs: 300, maxUnackedMessages: 1000 },
            function: { type: 'local', module: 'unused', timeoutMs: 5000 },
          }),
        ],
      },
      {
        client: env.client,
        sinks: {
          redeliver: async (records) => {
            for (const r of records) calls.set(indexOf(r), (calls.get(indexOf(r)) ?? 0) + 1);
            await sleep(1200);
          },
        },
      },
    );
    await publish(env.client, topic, 5);
    await waitFor(() => relay.status().bindings[0]!.counts.succeeded === 5, 10_000, 'acked');
    const s = relay.status().bindings[0]!;
    await relay.close();
    expect([...calls.values()]).toEqual([1, 1, 1, 1, 1]);
    expect(s.counts.redeliveriesIgnored).toBeGreaterThan(0);
  });

  it('drains on close: batches in flight finish and are acked, the rest is given back, nothing is lost', async () => {
    const topic = createTopic(env, 'drain');
    const seen: number[] = [];
    const sink = async (records: import('../../../src/core/records.js').SinkRecord[]) => {
      await sleep(60);
      seen.push(...records.map(indexOf));
    };
    const cfg = { drainTimeoutMs: 5000, bindings: [binding({ name: 'drain', topic, batchSize: 5, maxBatchingWindowMs: 10 })] };
    const first = await startRelay(cfg, { client: env.client, sinks: { drain: sink } });
    await publish(env.client, topic, 60);
    await waitFor(() => seen.length >= 15, 10_000, 'some processed');
    await first.close();
    const afterFirst = seen.length;
    expect(first.status().bindings[0]!.counts.succeeded).toBe(afterFirst);
    const second = await startRelay(cfg, { client: env.client, sinks: { drain: sink } });
    await waitFor(() => new Set(seen).size === 60, 15_000, 'the rest after restart');
    await second.close();
    expect([...seen].sort((a, b) => a - b)).toEqual(range(60)); // every record exactly once
  });

  it('bounds the drain: a sink that never returns is abandoned after drainTimeoutMs and its records given back', async () => {
    const topic = createTopic(env, 'hang');
    const cfg = { drainTimeoutMs: 300, bindings: [binding({ name: 'hang', topic, function: { type: 'local', module: 'unused', timeoutMs: 60_000 } })] };
    let called = 0;
    const first = await startRelay(cfg, {
      client: env.client,
      sinks: {
        hang: () => {
          called++;
          return new Promise<void>(() => undefined);
        },
      },
    });
    await publish(env.client, topic, 3);
    await waitFor(() => called > 0, 10_000, 'invoked');
    const t0 = Date.now();
    await first.close();
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(first.status().bindings[0]!.counts.succeeded).toBe(0);
    const seen: number[] = [];
    const second = await startRelay(cfg, { client: env.client, sinks: { hang: (records) => void seen.push(...records.map(indexOf)) } });
    await waitFor(() => seen.length >= 3, 15_000, 'given back and delivered again');
    await second.close();
    expect([...new Set(seen)].sort()).toEqual([0, 1, 2]);
  });

  it('two relays on one key-shared subscription keep per-key order and lose nothing', async () => {
    const topic = createTopic(env, 'keyshared');
    const order = new Map<string, number[]>();
    const cfg = {
      bindings: [
        binding({
          name: 'ks',
          topic,
          ordering: 'key',
          maxConcurrency: 2,
          subscription: { name: 'ks-sub', type: 'key-shared', maxUnackedMessages: 1000 },
          batchSize: 5,
        }),
      ],
    };
    const relays = await Promise.all(
      [0, 1].map(() =>
        startRelay(cfg, {
          client: env.client,
          sinks: {
            ks: async (records) => {
              await sleep(3);
              for (const r of records) order.set(r.routingKey!, [...(order.get(r.routingKey!) ?? []), indexOf(r)]);
            },
          },
        }),
      ),
    );
    await publish(env.client, topic, 60, { key: (i) => `k${i % 6}` });
    await waitFor(() => [...order.values()].reduce((n, l) => n + l.length, 0) >= 60, 20_000, 'all processed');
    await Promise.all(relays.map((r) => r.close()));
    // Which relay gets which key is the broker's hash ring; order per key and completeness are ours.
    for (let k = 0; k < 6; k++) expect(order.get(`k${k}`)).toEqual(range(60).filter((i) => i % 6 === k));
    expect(relays.reduce((n, r) => n + r.status().bindings[0]!.counts.succeeded, 0)).toBe(60);
  });

  it('two relays on one shared subscription split the work and lose nothing', async () => {
    const topic = createTopic(env, 'shared');
    const byRelay: number[][] = [[], []];
    const cfg = {
      bindings: [binding({ name: 'shared', topic, subscription: { name: 'shared-sub', type: 'shared', maxUnackedMessages: 1000 }, batchSize: 5 })],
    };
    const relays = await Promise.all(
      [0, 1].map((n) =>
        startRelay(cfg, {
          client: env.client,
          sinks: {
            shared: async (records) => {
              await sleep(5);
              byRelay[n]!.push(...records.map(indexOf));
            },
          },
        }),
      ),
    );
    await publish(env.client, topic, 100);
    await waitFor(() => byRelay[0]!.length + byRelay[1]!.length >= 100, 15_000, 'all processed');
    await Promise.all(relays.map((r) => r.close()));
    expect(byRelay[0]!.length).toBeGreaterThan(0);
    expect(byRelay[1]!.length).toBeGreaterThan(0);
    expect(new Set([...byRelay[0]!, ...byRelay[1]!]).size).toBe(100);
  });

  it('a relay process killed with SIGKILL mid-batch and restarted delivers every record at least once', async () => {
    const topic = createTopic(env, 'kill');
    const dir = mkdtempSync(join(tmpdir(), 'relay-kill-'));
    const out = join(dir, 'out.txt');
    writeFileSync(out, '');
    const configPath = join(dir, 'relay.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        bindings: [
          {
            name: 'kill',
            topic,
            subscription: { name: 'kill-sub', maxUnackedMessages: 1000 },
            batchSize: 10,
            maxBatchingWindowMs: 20,
            function: { type: 'local', module: resolve('test/e2e/relay/fixtures/append-sink.ts') },
          },
        ],
      }),
    );
    const start = async (): Promise<ChildProcess> => {
      const child = spawn(
        process.execPath,
        ['bin/danube-connect.mjs', 'relay', '--config', configPath, '--port', '0', '--service-url', env.broker.url, '--log-level', 'warn'],
        {
          env: { ...process.env, RELAY_TEST_OUT: out, RELAY_TEST_DELAY_MS: '40' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let text = '';
      child.stdout!.on('data', (d) => (text += d));
      child.stderr!.on('data', (d) => (text += d));
      await waitFor(() => /danube relay listening on/.test(text) || child.exitCode !== null, 20_000, 'relay process start');
      if (child.exitCode !== null) throw new Error(`relay exited: ${text}`);
      return child;
    };
    const lines = () => readFileSync(out, 'utf8').split('\n').filter(Boolean).map(Number);
    let child = await start();
    try {
      await publish(env.client, topic, 300);
      await waitFor(() => lines().length >= 60, 20_000, 'some processed');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const beforeRestart = new Set(lines()).size;
      expect(beforeRestart).toBeLessThan(300);
      child = await start();
      await waitFor(() => new Set(lines()).size === 300, 30_000, 'all records after restart');
      child.kill('SIGTERM');
      const code = await new Promise((r) => child.once('exit', r));
      expect(code).toBe(0);
    } finally {
      // A failed wait must not leave the relay process running after the test.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
