// Client throughput against the embedded broker running in another process, each figure
// measured side by side with its baseline in the same run (1 KiB payloads):
// - raw @grpc/grpc-js SendMessage loop vs our Producer (pipelined), same calls in flight;
// - our Producer awaiting each send (how the Rust client sends) vs pipelined and ordered x4;
// - raw ReceiveMessages + Ack loop vs our Consumer iterator + ack;
// - CPU of this process per message, Producer (pipelined) vs the raw grpc-js SendMessage loop,
//   per round (min/median/max), and the same on Node 22 when BENCH_NODE22 names a binary.
import { credentials, Metadata } from '@grpc/grpc-js';
import { DanubeClient, type Producer } from '../src/client/index.js';
import {
  ConsumerRequest_SubscriptionType,
  ConsumerServiceClient,
  DispatchStrategy,
  ProducerAccessMode,
  ProducerServiceClient,
  type StreamMessage,
} from '../src/generated/danube/DanubeApi.js';
import { startBrokerProcess } from './support/broker-process.js';
import { cpuRows, measureCpu, newRounds, node22, record, rowsFromChild, type CpuRounds } from './support/cpu.js';
import { row, type Bench, type BenchRow } from './types.js';

const PAYLOAD = new Uint8Array(1024).fill(7);
const IN_FLIGHT = 64;

/**
 * Keeps `inFlight` operations running, starting new ones for `durationMs` (or until `total` were
 * started); returns how many completed.
 */
function windowed(limit: { durationMs?: number; total?: number }, inFlight: number, op: (i: number, done: (err?: unknown) => void) => void): Promise<number> {
  const total = limit.total ?? Infinity;
  const until = limit.durationMs === undefined ? Infinity : performance.now() + limit.durationMs;
  return new Promise((resolve, reject) => {
    let started = 0;
    let completed = 0;
    const done = (err?: unknown) => {
      if (err) return reject(err);
      completed++;
      if (started < total && performance.now() < until) op(started++, done);
      else if (completed === started) resolve(completed);
    };
    for (let i = 0; i < Math.min(inFlight, total); i++) op(started++, done);
  });
}

const target = (url: string) => url.replace(/^https?:\/\//, '');
let topicSeq = 0;
const freshTopic = (what: string) => `/default/bench-${what}-${process.pid}-${topicSeq++}`;

/** msg/s of one run; with `cpu`, its CPU per message and rate are recorded there too. */
async function rawSend(url: string, durationMs: number, cpu?: CpuRounds): Promise<number> {
  const client = new ProducerServiceClient(target(url), credentials.createInsecure());
  const md = new Metadata();
  const topic = freshTopic('raw');
  const created = await new Promise<{ producerId: bigint }>((res, rej) =>
    client.createProducer(
      { requestId: 1n, producerName: 'raw', topicName: topic, producerAccessMode: ProducerAccessMode.Shared, dispatchStrategy: DispatchStrategy.Reliable },
      md,
      (e, r) => (e ? rej(e) : res(r)),
    ),
  );
  const msgId = { producerId: created.producerId, topicName: topic, brokerAddr: url, topicOffset: 0n };
  let requestId = 0n;
  const m = await measureCpu(() =>
    windowed({ durationMs }, IN_FLIGHT, (_i, done) => {
      const message: StreamMessage = {
        requestId: ++requestId,
        msgId,
        payload: PAYLOAD as Buffer,
        publishTime: BigInt(Date.now()),
        producerName: 'raw',
        subscriptionName: '',
        attributes: {},
      };
      client.sendMessage(message, md, (err) => done(err ?? undefined));
    }),
  );
  client.close();
  if (cpu) record(cpu, m, m.result);
  return m.result / (m.wallMs / 1000);
}

async function ourSend(
  client: DanubeClient,
  durationMs: number,
  mode: 'pipelined' | 'ordered' | 'await',
  partitions?: number,
  cpu?: CpuRounds,
): Promise<number> {
  const producer = await client.createProducer({
    topic: freshTopic(mode),
    name: `bench-${mode}`,
    dispatch: 'reliable',
    mode: mode === 'pipelined' ? 'pipelined' : 'ordered',
    maxInFlight: IN_FLIGHT,
    ...(partitions ? { partitions } : {}),
  });
  const m = await measureCpu(async () => {
    if (mode !== 'await') return windowed({ durationMs }, IN_FLIGHT, (_i, done) => void producer.send(PAYLOAD).then(() => done(), done));
    const t0 = performance.now();
    let sent = 0;
    while (performance.now() - t0 < durationMs) {
      await producer.send(PAYLOAD);
      sent++;
    }
    return sent;
  });
  await producer.close();
  if (cpu) record(cpu, m, m.result);
  return m.result / (m.wallMs / 1000);
}

async function fill(client: DanubeClient, topic: string, total: number): Promise<void> {
  const producer: Producer = await client.createProducer({ topic, name: 'filler', dispatch: 'reliable', mode: 'pipelined', maxInFlight: IN_FLIGHT });
  await windowed({ total }, IN_FLIGHT, (_i, done) => void producer.send(PAYLOAD).then(() => done(), done));
  await producer.close();
}

const CPU_ROW = `client: Producer pipelined vs raw grpc-js SendMessage loop (${IN_FLIGHT} in flight, 1 KiB)`;
const CPU_CONTEXT = 'CPU of this process (the broker runs in another); raw loop: generated grpc-js stubs, one channel';

/** The CPU rows alone: raw loop and pipelined Producer alternating, `rounds` times. */
async function cpuOnly(quick: boolean): Promise<BenchRow[]> {
  const durationMs = quick ? 250 : 700;
  const rounds = quick ? 3 : 6;
  const { url, child } = await startBrokerProcess(['--max-unacked', '10000']);
  const client = new DanubeClient({ serviceUrl: url });
  try {
    await rawSend(url, quick ? 100 : 300);
    await ourSend(client, quick ? 100 : 300, 'pipelined');
    const raw = newRounds();
    const ours = newRounds();
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        await rawSend(url, durationMs, raw);
        await ourSend(client, durationMs, 'pipelined', undefined, ours);
      } else {
        await ourSend(client, durationMs, 'pipelined', undefined, ours);
        await rawSend(url, durationMs, raw);
      }
    }
    return cpuRows(CPU_ROW, raw, ours, 0.67, `Node ${process.versions.node}; ${CPU_CONTEXT}`, 1);
  } finally {
    await client.close();
    child.kill('SIGTERM');
  }
}

async function rawReceive(url: string, client: DanubeClient, total: number): Promise<number> {
  const topic = freshTopic('rawrx');
  await fill(client, topic, 1); // creates the reliable topic
  const consumer = new ConsumerServiceClient(target(url), credentials.createInsecure());
  const md = new Metadata();
  const sub = await new Promise<{ consumerId: bigint }>((res, rej) =>
    consumer.subscribe(
      {
        requestId: 1n,
        topicName: topic,
        consumerName: 'raw',
        subscription: 'raw',
        subscriptionType: ConsumerRequest_SubscriptionType.Exclusive,
        keyFilters: [],
      },
      md,
      (e, r) => (e ? rej(e) : res(r)),
    ),
  );
  await fill(client, topic, total);
  const t0 = performance.now();
  const rate = await new Promise<number>((resolve, reject) => {
    let acked = 0;
    const stream = consumer.receiveMessages({ requestId: 2n, consumerId: sub.consumerId }, md);
    stream.on('data', (m: StreamMessage) => {
      consumer.ack({ requestId: m.requestId, msgId: m.msgId, subscriptionName: 'raw' }, md, (err) => {
        if (err) return reject(err);
        // The first message is the one that created the topic before the subscription: skipped by the broker.
        if (++acked === total) {
          resolve(total / ((performance.now() - t0) / 1000));
          stream.cancel();
        }
      });
    });
    stream.on('error', (err: { code?: number }) => (err.code === 1 ? undefined : reject(err)));
  });
  consumer.close();
  return rate;
}

async function ourReceive(client: DanubeClient, total: number): Promise<number> {
  const topic = freshTopic('rx');
  await fill(client, topic, 1);
  const options = { topic, subscription: 'ours', consumerName: 'bench', type: 'exclusive' as const, bufferSize: 1000 };
  // Create the subscription, then fill the topic while no stream reads it, as the raw loop does.
  await (await client.subscribe(options)).close();
  await fill(client, topic, total);
  // The subscribe (lookup + Subscribe) is not timed, as the raw loop subscribes before filling.
  const consumer = await client.subscribe(options);
  const t0 = performance.now();
  let acked = 0;
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    void (async () => {
      for await (const msg of consumer) {
        consumer.ack(msg).then(() => (++acked === total ? resolve() : undefined), reject);
        if (++received === total) break;
      }
    })().catch(reject);
  });
  const rate = total / ((performance.now() - t0) / 1000);
  await consumer.close();
  return rate;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const bench: Bench = async ({ quick }) => {
  // Many short alternating rounds, then the median of each: a figure and its baseline see the
  // same machine conditions even when other processes come and go.
  const durationMs = quick ? 250 : 700;
  const rounds = quick ? 2 : 6;
  const { url, child } = await startBrokerProcess(['--max-unacked', '10000']);
  const client = new DanubeClient({ serviceUrl: url });
  try {
    // Warm up every path (JIT in both processes, connection, topic creation).
    const warm = quick ? 100 : 300;
    await rawSend(url, warm);
    await ourSend(client, warm, 'pipelined');
    await ourSend(client, warm, 'ordered', 4);
    await rawReceive(url, client, warm * 2);
    await ourReceive(client, warm * 2);
    const runs = {
      raw: [] as number[],
      pipelined: [] as number[],
      ordered4: [] as number[],
      await: [] as number[],
      rawRx: [] as number[],
      ourRx: [] as number[],
    };
    const rawCpu = newRounds();
    const ourCpu = newRounds();
    const producerRuns: [number[], () => Promise<number>][] = [
      [runs.raw, () => rawSend(url, durationMs, rawCpu)],
      [runs.pipelined, () => ourSend(client, durationMs, 'pipelined', undefined, ourCpu)],
      [runs.ordered4, () => ourSend(client, durationMs, 'ordered', 4)],
      [runs.await, () => ourSend(client, durationMs, 'await')],
    ];
    for (let r = 0; r < rounds; r++) {
      // Rotate the order each round so no variant always runs first (or right after another).
      for (let i = 0; i < producerRuns.length; i++) {
        const [into, run] = producerRuns[(i + r) % producerRuns.length]!;
        into.push(await run());
      }
    }
    // About as long a run as the producer figures (the broker's window is 10 000).
    const rxTotal = Math.round(Math.min(10_000, Math.max(quick ? 500 : 1_000, (median(runs.raw) * durationMs) / 1000)));
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        runs.rawRx.push(await rawReceive(url, client, rxTotal));
        runs.ourRx.push(await ourReceive(client, rxTotal));
      } else {
        runs.ourRx.push(await ourReceive(client, rxTotal));
        runs.rawRx.push(await rawReceive(url, client, rxTotal));
      }
    }
    const best = {
      raw: median(runs.raw),
      pipelined: median(runs.pipelined),
      ordered4: median(runs.ordered4),
      await: median(runs.await),
      rawRx: median(runs.rawRx),
      ourRx: median(runs.ourRx),
    };
    const rows: BenchRow[] = [
      row({
        name: `client: Producer pipelined vs raw grpc-js SendMessage (${IN_FLIGHT} in flight, 1 KiB)`,
        unit: 'msg/s',
        baseline: best.raw,
        value: best.pipelined,
        target: 0.9,
      }),
      row({ name: 'client: Producer pipelined vs Producer awaiting each send', unit: 'msg/s', baseline: best.await, value: best.pipelined, target: 2 }),
      row({ name: 'client: Producer ordered, 4 partitions vs awaiting each send', unit: 'msg/s', baseline: best.await, value: best.ordered4, target: 2 }),
      row({ name: 'client: Consumer receive+ack vs raw ReceiveMessages+Ack (1 KiB)', unit: 'msg/s', baseline: best.rawRx, value: best.ourRx, target: 0.8 }),
      ...cpuRows(CPU_ROW, rawCpu, ourCpu, 0.67, `Node ${process.versions.node}; ${CPU_CONTEXT}`),
    ];
    const n22 = node22();
    if (n22) rows.push(...(await rowsFromChild(n22, 'bench/client.bench.ts', 'cpu', quick, 'Node 22')));
    return rows;
  } finally {
    await client.close();
    child.kill('SIGTERM');
  }
};

export default bench;

if (process.argv.includes('--child=cpu')) {
  process.stdout.write(`${JSON.stringify(await cpuOnly(process.argv.includes('--quick')))}\n`);
  process.exit(0);
}
