// The relay's figures, each beside its baseline in the same run:
// - throughput and CPU per message of this process: a raw loop on the generated grpc-js stubs
//   (ReceiveMessages + one Ack per message, acks not awaited) vs the relay with an in-process
//   no-op sink, batch 100, on a reliable topic whose subscription window is 10,000 (broker
//   `max_unacked_messages`), several alternating rounds (min/median/max); the same on Node 22
//   when BENCH_NODE22 names a binary;
// - end-to-end latency p50/p99 (publish → sink) at a fixed 100 msg/s against the budget
//   "batching window + 50 ms" (lower is better);
// - resident memory of a relay process while a large backlog waits behind a slow sink
//   (1 s per batch of 100) against the 200 MB budget (lower is better);
// - (in relay-tracing.bench.ts, which `npm run bench relay` runs too) tracing on vs off.
// The broker runs in a child process (so its memory and CPU are not the relay's); backlogs are
// written into it in-process through its SendMessage handler, which fills a million in seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { credentials, Metadata } from '@grpc/grpc-js';
import { DanubeClient } from '../src/client/index.js';
import { silentLogger } from '../src/core/logger.js';
import { ConsumerRequest_SubscriptionType, ConsumerServiceClient, StreamMessage } from '../src/generated/danube/DanubeApi.js';
import { startRelay, type Invoker, type RelayConfigInput } from '../src/relay/index.js';
import { cpuRows, measureCpu, newRounds, node22, record, rowsFromChild } from './support/cpu.js';
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
  const service = producerService({
    index: 0,
    state,
    auth: null,
    faults: new Faults(() => 0),
    url: () => broker.url,
    urlOf: () => broker.url,
    proxyUrl: () => undefined,
  });
  process.stdout.write(`listening on ${broker.url}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, topic, n] = line.split(' ');
    if (cmd === 'topic') {
      broker.admin.createTopic(topic!, { dispatch: 'reliable' });
      process.stdout.write('ok\n');
    } else if (cmd === 'fill' || cmd === 'filltraced') {
      let producerId = 0n;
      service.createProducer(
        { request: { requestId: 0n, producerName: `fill-${topic}`, topicName: topic!, producerAccessMode: 0, dispatchStrategy: 1 } } as never,
        (e, r) => {
          if (e) throw e;
          producerId = r!.producerId;
        },
      );
      const count = Number(n);
      let done = 0;
      await new Promise<void>((resolve) => {
        for (let i = 0; i < count; i++) {
          const msg = StreamMessage.fromPartial({
            requestId: BigInt(i),
            msgId: { producerId, topicName: topic!, brokerAddr: broker.url, topicOffset: 0n },
            payload: PAYLOAD,
            publishTime: BigInt(Date.now()),
            producerName: `fill-${topic}`,
            attributes: cmd === 'fill' ? {} : traceAttributes(i),
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

/** A creation context of a trace of its own for message `i`, as a producer under a span writes it. */
function traceAttributes(i: number): Record<string, string> {
  const id = (i + 1).toString(16);
  return { traceparent: `00-${id.padStart(32, '0')}-${id.padStart(16, '0')}-01` };
}

/** A relay process with a slow in-process sink; prints "ready" once subscribed. */
async function runRelayChild(url: string, topic: string): Promise<void> {
  const client = new DanubeClient({ serviceUrl: url, logger: silentLogger });
  const relay = await startRelay(
    { bindings: [binding('mem', topic)] },
    {
      client,
      sinks: { mem: () => new Promise((r) => setTimeout(r, 1000)) },
    },
  );
  process.stdout.write('ready\n');
  await new Promise((r) => process.once('SIGTERM', r));
  await relay.close();
  await client.close();
}

// ---- helpers -----------------------------------------------------------------------

function binding(name: string, topic: string, over: Record<string, unknown> = {}): RelayConfigInput['bindings'][number] {
  return {
    name,
    topic,
    subscription: { name: `${name}-sub`, maxUnackedMessages: WINDOW },
    function: { type: 'local', module: 'in-process' },
    batchSize: 100,
    ...over,
  } as RelayConfigInput['bindings'][number];
}

export interface Child {
  child: ChildProcess;
  lines: Interface;
  next(match: RegExp): Promise<string>;
}

export function startChild(args: string[]): Child {
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
    child,
    lines,
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

export async function command(broker: Child, line: string, reply: RegExp): Promise<void> {
  broker.child.stdin!.write(`${line}\n`);
  await broker.next(reply);
}

const until = async (cond: () => boolean, timeoutMs = 60_000, everyMs = 2): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('bench step timed out');
    await new Promise((r) => setTimeout(r, everyMs));
  }
};

/** Raw stubs: subscribe first (the subscription starts at Latest), then read and ack `total`. */
async function rawSubscribe(url: string, topic: string): Promise<{ run(total: number): Promise<void> }> {
  const stub = new ConsumerServiceClient(url.replace(/^https?:\/\//, ''), credentials.createInsecure());
  const md = new Metadata();
  const sub = await new Promise<{ consumerId: bigint }>((res, rej) =>
    stub.subscribe(
      { requestId: 1n, topicName: topic, consumerName: 'raw', subscription: 'raw', subscriptionType: ConsumerRequest_SubscriptionType.Shared, keyFilters: [] },
      md,
      (e, r) => (e ? rej(e) : res(r)),
    ),
  );
  return {
    run: (total) =>
      new Promise<void>((resolve, reject) => {
        let acked = 0;
        const stream = stub.receiveMessages({ requestId: 2n, consumerId: sub.consumerId }, md);
        stream.on('data', (m: StreamMessage) => {
          stub.ack({ requestId: m.requestId, msgId: m.msgId, subscriptionName: 'raw' }, md, (err) => {
            if (err) return reject(err);
            if (++acked === total) {
              resolve();
              stream.cancel();
              stub.close();
            }
          });
        });
        stream.on('error', (err: { code?: number }) => (err.code === 1 ? undefined : reject(err)));
      }),
  };
}

/**
 * The relay on the same kind of backlog: subscription created first, relay restarted on the
 * backlog; measured from that start until every message was acked.
 */
export async function relayThroughput(client: DanubeClient, topic: string, total: number, ready: () => boolean, invoker?: Invoker) {
  const config = { bindings: [binding('tput', topic)] };
  const targets = invoker ? { invokers: { tput: invoker } } : { sinks: { tput: () => undefined } };
  const first = await startRelay(config, { client, ...targets });
  await first.close();
  await until(ready, 120_000);
  await settle();
  let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
  const m = await measureCpu(async () => {
    relay = await startRelay(config, { client, ...targets });
    const s = () => relay!.status().bindings[0]!;
    await until(() => s().counts.succeeded >= total && s().oldestUnackedAgeMs === 0, 60_000, 10);
  });
  await relay!.close();
  return m;
}

/** Lets the garbage of a set-up phase be collected before a measurement starts. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 200));

/**
 * Throughput and CPU per message of the relay and of the raw loop, read from the same kind of
 * backlog in alternating order, `rounds` times after a warm-up round.
 */
async function throughputRows(broker: Child, url: string, client: DanubeClient, quick: boolean): Promise<BenchRow[]> {
  const total = quick ? 2_000 : 8_000;
  const rounds = quick ? 2 : 5;
  const raw = newRounds();
  const ours = newRounds();
  for (let r = 0; r < rounds + 1; r++) {
    const n = r === 0 ? 1_000 : total; // round 0 only warms up (JIT, connections)
    const topic = `/default/relay-tput-${process.pid}-${seq++}`;
    await command(broker, `topic ${topic}`, /^ok$/);
    const rawSub = await rawSubscribe(url, topic);
    const filled = { done: false };
    // The relay subscribes and stops before the backlog is written, then starts again on it.
    const relayRun = relayThroughput(client, topic, n, () => filled.done);
    await new Promise((res) => setTimeout(res, 500)); // the relay's subscription exists
    await command(broker, `fill ${topic} ${n}`, /^filled/);
    // Which one reads first alternates by round, so neither always meets a fresher broker.
    const runRaw = async () => {
      await settle();
      return measureCpu(() => rawSub.run(n));
    };
    let rawM: Awaited<ReturnType<typeof runRaw>>;
    let relayM: Awaited<typeof relayRun>;
    if (r % 2 === 1) {
      rawM = await runRaw();
      filled.done = true;
      relayM = await relayRun;
    } else {
      filled.done = true;
      relayM = await relayRun;
      rawM = await runRaw();
    }
    if (r === 0) continue;
    record(raw, rawM, n);
    record(ours, relayM, n);
  }
  const context = `Node ${process.versions.node}; CPU of this process (the broker runs in another); ${total.toLocaleString('en')} waiting messages per round, subscription window ${WINDOW}`;
  return cpuRows('relay: no-op sink, batch 100 vs raw grpc-js ReceiveMessages+Ack loop', raw, ours, 0.5, context, 0.8);
}

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
  const backlog = quick ? 50_000 : 1_000_000;
  const latencySeconds = quick ? 2 : 5;
  const broker = startChild([...runTs, self, '--child=broker']);
  const url = (await broker.next(/listening on/)).split(' ').pop()!;
  const client = new DanubeClient({ serviceUrl: url, logger: silentLogger });
  const rows: BenchRow[] = [];
  try {
    rows.push(...(await throughputRows(broker, url, client, quick)));
    process.stderr.write('bench: relay throughput done\n');
    const n22 = node22();
    if (n22) rows.push(...(await rowsFromChild(n22, 'bench/relay.bench.ts', 'throughput', quick, 'Node 22')));

    // Latency at a fixed moderate rate with the default 500 ms batching window.
    const topic = `/default/relay-lat-${process.pid}-${seq++}`;
    await command(broker, `topic ${topic}`, /^ok$/);
    const latencies: number[] = [];
    const relay = await startRelay(
      { bindings: [binding('lat', topic, { maxBatchingWindowMs: 500 })] },
      {
        client,
        sinks: {
          lat: (records) => {
            const now = Date.now();
            for (const r of records) latencies.push(now - r.publishTime);
          },
        },
      },
    );
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
    rows.push(
      row({
        name: `relay: end-to-end latency p50 at ${rate} msg/s, window 500 ms vs window + 50 ms`,
        unit: 'ms',
        baseline: budget,
        value: percentile(latencies, 50),
        target: 1,
        lowerIsBetter: true,
      }),
    );
    rows.push(
      row({
        name: `relay: end-to-end latency p99 at ${rate} msg/s, window 500 ms vs window + 50 ms`,
        unit: 'ms',
        baseline: budget,
        value: percentile(latencies, 99),
        target: 1,
        lowerIsBetter: true,
      }),
    );

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
    rows.push(
      row({
        name: `relay: resident memory with ${backlog.toLocaleString('en')} messages waiting behind a slow sink vs 200 MB`,
        unit: 'MB',
        baseline: 200,
        value: peak,
        target: 1,
        lowerIsBetter: true,
        note: quick ? `--quick: ${backlog.toLocaleString('en')} waiting messages instead of 1,000,000` : 'peak RSS of the relay process',
      }),
    );
  } finally {
    await client.close();
    broker.child.stdin!.end();
    broker.child.kill('SIGTERM');
  }
  return rows;
};

export default bench;

/** Under another Node: the throughput rows alone, printed as JSON for the parent run. */
async function runThroughputChild(quick: boolean): Promise<void> {
  const broker = startChild([...runTs, self, '--child=broker']);
  const url = (await broker.next(/listening on/)).split(' ').pop()!;
  const client = new DanubeClient({ serviceUrl: url, logger: silentLogger });
  try {
    process.stdout.write(`${JSON.stringify(await throughputRows(broker, url, client, quick))}\n`);
  } finally {
    await client.close();
    broker.child.stdin!.end();
    broker.child.kill('SIGTERM');
  }
  process.exit(0);
}

const childMode = process.argv.find((a) => a.startsWith('--child='));
if (childMode === '--child=broker') await runBrokerChild();
else if (childMode === '--child=throughput') await runThroughputChild(process.argv.includes('--quick'));
else if (childMode === '--child=relay') {
  const i = process.argv.indexOf('--child=relay');
  await runRelayChild(process.argv[i + 1]!, process.argv[i + 2]!);
}
