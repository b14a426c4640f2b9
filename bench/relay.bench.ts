// The relay's figures, each beside its baseline in the same run:
// - throughput: a raw loop on the generated grpc-js stubs (ReceiveMessages + one Ack per
//   message, acks not awaited) vs the relay with an in-process no-op sink, batch 100, on a
//   reliable topic whose subscription window is 10,000 (broker `max_unacked_messages`);
// - CPU per message of the same two runs (this process's user + system time over the messages;
//   the broker's CPU is its own process's): what a relay costs per message, whatever the
//   machine's load does to wall time;
// - end-to-end latency p50/p99 (publish → sink) at a fixed 100 msg/s against the budget
//   "batching window + 50 ms" (lower is better);
// - resident memory of a relay process while a large backlog waits behind a slow sink
//   (1 s per batch of 100) against the 200 MB budget (lower is better).
// The broker runs in a child process (so its memory and CPU are not the relay's); backlogs are
// written into it in-process through its SendMessage handler, which fills a million in seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { credentials, Metadata } from '@grpc/grpc-js';
import { DanubeClient } from '../src/client/index.js';
import { silentLogger } from '../src/core/logger.js';
import { ConsumerRequest_SubscriptionType, ConsumerServiceClient, StreamMessage } from '../src/generated/danube/DanubeApi.js';
import { startRelay, type RelayConfigInput } from '../src/relay/index.js';
import { row, type Bench, type BenchRow } from './types.js';

const self = new URL(import.meta.url).pathname;
const runTs = ['bin/run-ts.mjs'];
const WINDOW = 10_000;
const PAYLOAD = Buffer.alloc(256, 7);

// ---- child modes -------------------------------------------------------------------

/** The embedded broker; on stdin `fill <topic> <n>` appends n messages in-process. */
async function runBrokerChild(): Promise<void> {
  const { startBroker } = await import('../src/broker/index.js');
  const { Faults } = await import('../src/broker/faults.js');
  const { producerService } = await import('../src/broker/services/producer-service.js');
  const broker = await startBroker({ port: 0, dispatch: { maxUnackedMessages: WINDOW }, logger: silentLogger });
  // The bench reaches into the broker's state the way the broker's own bench does: the
  // SendMessage handler without the network, so a large backlog costs seconds, not minutes.
  const state = (broker.admin as unknown as { state: import('../src/broker/state.js').BrokerState }).state;
  const service = producerService({ index: 0, state, auth: null, faults: new Faults(() => 0), url: () => broker.url, urlOf: () => broker.url, proxyUrl: () => undefined });
  process.stdout.write(`listening on ${broker.url}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, topic, n] = line.split(' ');
    if (cmd === 'topic') {
      broker.admin.createTopic(topic!, { dispatch: 'reliable' });
      process.stdout.write('ok\n');
    } else if (cmd === 'fill') {
      let producerId = 0n;
      service.createProducer({ request: { requestId: 0n, producerName: `fill-${topic}`, topicName: topic!, producerAccessMode: 0, dispatchStrategy: 1 } } as never, (e, r) => {
        if (e) throw e;
        producerId = r!.producerId;
      });
      const count = Number(n);
      let done = 0;
      await new Promise<void>((resolve) => {
        for (let i = 0; i < count; i++) {
          const msg = StreamMessage.fromPartial({
            requestId: BigInt(i), msgId: { producerId, topicName: topic!, brokerAddr: broker.url, topicOffset: 0n },
            payload: PAYLOAD, publishTime: BigInt(Date.now()), producerName: `fill-${topic}`, attributes: {},
          });
          service.sendMessage({ request: msg } as never, (e) => {
            if (e) throw e;
            if (++done === count) resolve();
          });
        }
      });
      process.stdout.write(`filled ${count}\n`);
    }
  }
  await broker.close();
}

/** A relay process with a slow in-process sink; prints "ready" once subscribed. */
async function runRelayChild(url: string, topic: string): Promise<void> {
  const client = new DanubeClient({ serviceUrl: url, logger: silentLogger });
  const relay = await startRelay({ bindings: [binding('mem', topic)] }, {
    client, sinks: { mem: () => new Promise((r) => setTimeout(r, 1000)) },
  });
  process.stdout.write('ready\n');
  await new Promise((r) => process.once('SIGTERM', r));
  await relay.close();
  await client.close();
}

// ---- helpers -----------------------------------------------------------------------

function binding(name: string, topic: string, over: Record<string, unknown> = {}): RelayConfigInput['bindings'][number] {
  return {
    name, topic, subscription: { name: `${name}-sub`, maxUnackedMessages: WINDOW }, function: { type: 'local', module: 'in-process' },
    batchSize: 100, ...over,
  } as RelayConfigInput['bindings'][number];
}

interface Child { child: ChildProcess; lines: Interface; next(match: RegExp): Promise<string> }

function startChild(args: string[]): Child {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  const waiters: Array<{ match: RegExp; resolve: (l: string) => void }> = [];
  lines.on('line', (line) => {
    const w = waiters.findIndex((x) => x.match.test(line));
    if (w >= 0) waiters.splice(w, 1)[0]!.resolve(line);
    else queue.push(line);
  });
  return {
    child, lines,
    next: (match) => {
      const i = queue.findIndex((l) => match.test(l));
      if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child: no line matching ${match} within 60 s`)), 60_000);
        waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
  };
}

async function command(broker: Child, line: string, reply: RegExp): Promise<void> {
  broker.child.stdin!.write(`${line}\n`);
  await broker.next(reply);
}

const until = async (cond: () => boolean, timeoutMs = 60_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('bench step timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
};

/** Raw stubs: subscribe first (the subscription starts at Latest), then read and ack `total`. */
async function rawSubscribe(url: string, topic: string): Promise<{ run(total: number): Promise<Rate> }> {
  const stub = new ConsumerServiceClient(url.replace(/^https?:\/\//, ''), credentials.createInsecure());
  const md = new Metadata();
  const sub = await new Promise<{ consumerId: bigint }>((res, rej) =>
    stub.subscribe({ requestId: 1n, topicName: topic, consumerName: 'raw', subscription: 'raw', subscriptionType: ConsumerRequest_SubscriptionType.Shared, keyFilters: [] }, md, (e, r) => (e ? rej(e) : res(r))),
  );
  return {
    run: (total) => new Promise<Rate>((resolve, reject) => {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      let acked = 0;
      const stream = stub.receiveMessages({ requestId: 2n, consumerId: sub.consumerId }, md);
      stream.on('data', (m: StreamMessage) => {
        stub.ack({ requestId: m.requestId, msgId: m.msgId, subscriptionName: 'raw' }, md, (err) => {
          if (err) return reject(err);
          if (++acked === total) {
            resolve(rateOf(total, t0, cpu0));
            stream.cancel();
            stub.close();
          }
        });
      });
      stream.on('error', (err: { code?: number }) => (err.code === 1 ? undefined : reject(err)));
    }),
  };
}

/** Messages per second of wall time, and microseconds of this process's CPU time per message. */
interface Rate { perSecond: number; cpuMicrosPerMessage: number }

function rateOf(total: number, t0: number, cpu0: NodeJS.CpuUsage): Rate {
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: total / ((performance.now() - t0) / 1000), cpuMicrosPerMessage: (cpu.user + cpu.system) / total };
}

/** The relay on the same kind of backlog: subscription created first, relay restarted on the backlog. */
async function relayThroughput(client: DanubeClient, topic: string, total: number, ready: () => boolean): Promise<Rate> {
  const config = { bindings: [binding('tput', topic)] };
  const sinks = { tput: () => undefined };
  const first = await startRelay(config, { client, sinks });
  await first.close();
  await until(ready, 120_000);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const relay = await startRelay(config, { client, sinks });
  const s = () => relay.status().bindings[0]!;
  await until(() => s().counts.succeeded >= total && s().oldestUnackedAgeMs === 0);
  const rate = rateOf(total, t0, cpu0);
  await relay.close();
  return rate;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function vm(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

// ---- the bench ---------------------------------------------------------------------

let seq = 0;
const bench: Bench = async ({ quick }) => {
  const total = quick ? 1_000 : 10_000;
  // Several measured rounds: throughput takes the best (the machine is shared), CPU per message
  // the median.
  const rounds = quick ? 1 : 3;
  const backlog = quick ? 50_000 : 1_000_000;
  const latencySeconds = quick ? 2 : 5;
  const broker = startChild([...runTs, self, '--child=broker']);
  const url = (await broker.next(/listening on/)).split(' ').pop()!;
  const client = new DanubeClient({ serviceUrl: url, logger: silentLogger });
  const rows: BenchRow[] = [];
  try {
    // Throughput: one backlog per round, read by the raw loop and by the relay on two subscriptions.
    let raw = 0;
    let ours = 0;
    const rawCpu: number[] = [];
    const ourCpu: number[] = [];
    for (let r = quick ? 1 : 0; r < rounds + 1; r++) {
      const n = r === 0 ? Math.min(1_000, total) : total; // round 0 only warms up (JIT, connections)
      const topic = `/default/relay-tput-${process.pid}-${seq++}`;
      await command(broker, `topic ${topic}`, /^ok$/);
      const rawSub = await rawSubscribe(url, topic);
      const filled = { done: false };
      // The relay subscribes and stops before the backlog is written, then starts again on it.
      const relayRate = relayThroughput(client, topic, n, () => filled.done);
      await new Promise((res) => setTimeout(res, 500)); // the relay's subscription exists
      await command(broker, `fill ${topic} ${n}`, /^filled/);
      // Which one reads first alternates by round, so neither always meets a fresher broker.
      let rawRate: Rate;
      let relay: Rate;
      if (r % 2 === 1) {
        rawRate = await rawSub.run(n);
        filled.done = true;
        relay = await relayRate;
      } else {
        filled.done = true;
        relay = await relayRate;
        rawRate = await rawSub.run(n);
      }
      if (r === 0) continue;
      raw = Math.max(raw, rawRate.perSecond);
      ours = Math.max(ours, relay.perSecond);
      rawCpu.push(rawRate.cpuMicrosPerMessage);
      ourCpu.push(relay.cpuMicrosPerMessage);
    }
    process.stderr.write(`bench: relay throughput done (${Math.round(raw)} vs ${Math.round(ours)} msg/s)\n`);
    rows.push(row({
      name: 'relay: no-op sink, batch 100 vs raw ReceiveMessages+Ack loop (generated stubs)', unit: 'msg/s', baseline: raw, value: ours, target: 0.8,
      note: `${total.toLocaleString('en')} waiting messages, subscription window ${WINDOW}, best of ${rounds}${quick ? ', --quick: no warm-up round' : ''}`,
    }));
    const list = (xs: number[]) => xs.map((x) => x.toFixed(1)).join('/');
    process.stderr.write(`bench: relay CPU per message: raw ${list(rawCpu)}, relay ${list(ourCpu)} µs/msg\n`);
    rows.push(row({
      name: 'relay: CPU per message, no-op sink, batch 100 vs raw ReceiveMessages+Ack loop (generated stubs)', unit: 'µs/msg',
      baseline: median(rawCpu), value: median(ourCpu), target: 0.8, lowerIsBetter: true,
      note: `user + system time of the process reading and acking, median of ${rounds} (raw ${list(rawCpu)}, relay ${list(ourCpu)} µs/msg)`,
    }));

    // Latency at a fixed moderate rate with the default 500 ms batching window.
    const topic = `/default/relay-lat-${process.pid}-${seq++}`;
    await command(broker, `topic ${topic}`, /^ok$/);
    const latencies: number[] = [];
    const relay = await startRelay({ bindings: [binding('lat', topic, { maxBatchingWindowMs: 500 })] }, {
      client, sinks: { lat: (records) => { const now = Date.now(); for (const r of records) latencies.push(now - r.publishTime); } },
    });
    const producer = await client.createProducer({ topic, name: 'lat', dispatch: 'reliable' });
    const rate = 100;
    const count = rate * latencySeconds;
    const t0 = Date.now();
    for (let i = 0; i < count; i++) {
      const due = t0 + (i * 1000) / rate;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      void producer.send(PAYLOAD);
    }
    await producer.flush();
    await until(() => latencies.length >= count, 10_000);
    await producer.close();
    await relay.close();
    latencies.sort((a, b) => a - b);
    const budget = 500 + 50;
    rows.push(row({ name: `relay: end-to-end latency p50 at ${rate} msg/s, window 500 ms vs window + 50 ms`, unit: 'ms', baseline: budget, value: percentile(latencies, 50), target: 1, lowerIsBetter: true }));
    rows.push(row({ name: `relay: end-to-end latency p99 at ${rate} msg/s, window 500 ms vs window + 50 ms`, unit: 'ms', baseline: budget, value: percentile(latencies, 99), target: 1, lowerIsBetter: true }));

    // Memory: a relay process, a slow sink, and a large backlog waiting in the broker.
    const memTopic = `/default/relay-mem-${process.pid}-${seq++}`;
    await command(broker, `topic ${memTopic}`, /^ok$/);
    const relayChild = startChild([...runTs, self, '--child=relay', url, memTopic]);
    await relayChild.next(/^ready$/);
    let peak = vm(relayChild.child.pid!, 'VmRSS');
    const sampler = setInterval(() => (peak = Math.max(peak, vm(relayChild.child.pid!, 'VmRSS'))), 100);
    await command(broker, `fill ${memTopic} ${backlog}`, /^filled/);
    await new Promise((r) => setTimeout(r, quick ? 1_000 : 3_000));
    clearInterval(sampler);
    peak = Math.max(peak, vm(relayChild.child.pid!, 'VmHWM'));
    const exited = new Promise((r) => relayChild.child.once('exit', r));
    relayChild.child.kill('SIGTERM');
    await exited;
    rows.push(row({
      name: `relay: resident memory with ${backlog.toLocaleString('en')} messages waiting behind a slow sink vs 200 MB`, unit: 'MB', baseline: 200, value: peak, target: 1, lowerIsBetter: true,
      note: quick ? `--quick: ${backlog.toLocaleString('en')} waiting messages instead of 1,000,000` : 'peak RSS of the relay process',
    }));
  } finally {
    await client.close();
    broker.child.stdin!.end();
    broker.child.kill('SIGTERM');
  }
  return rows;
};

export default bench;

const childMode = process.argv.find((a) => a.startsWith('--child='));
if (childMode === '--child=broker') await runBrokerChild();
else if (childMode === '--child=relay') {
  const i = process.argv.indexOf('--child=relay');
  await runRelayChild(process.argv[i + 1]!, process.argv[i + 2]!);
}
