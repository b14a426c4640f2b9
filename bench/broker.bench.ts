// The embedded broker's own figures, each beside its baseline in the same run:
// - SendMessage and Ack: CPU per call of the server process, and calls/s, the broker vs a raw
//   @grpc/grpc-js server with the same service definitions whose handlers answer at once (each
//   server in a process of its own, the load generator in this one, alternating, the same calls
//   in flight, median of the rounds);
// - resident memory of 1 million retained 1 KiB messages (a reliable topic whose one
//   subscription has acked nothing) vs the payload bytes themselves.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { startBroker } from '../src/broker/index.js';
import { silentLogger } from '../src/core/logger.js';
import { credentials, Server, ServerCredentials, type ServiceError } from '@grpc/grpc-js';
import {
  ConsumerRequest_SubscriptionType,
  ConsumerServiceClient,
  ConsumerServiceService,
  DispatchStrategy,
  ProducerAccessMode,
  ProducerServiceClient,
  ProducerServiceService,
  StreamMessage,
  type AckRequest,
  type ConsumerServiceServer,
  type ProducerServiceServer,
} from '../src/generated/danube/DanubeApi.js';
import { spread } from './support/cpu.js';
import { row, type Bench, type BenchRow } from './types.js';

const IN_FLIGHT = 64;
const PAYLOAD = Buffer.alloc(1024, 7);
const self = new URL(import.meta.url).pathname;

// ---- child modes -------------------------------------------------------------------

/** A server with the broker's service definitions whose handlers answer at once. */
async function startNoopServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
  const producer: ProducerServiceServer = {
    createProducer: (call, cb) => cb(null, { requestId: call.request.requestId, producerId: 1n, producerName: call.request.producerName }),
    sendMessage: (call, cb) => cb(null, { requestId: call.request.requestId }),
  };
  const consumer: ConsumerServiceServer = {
    subscribe: (call, cb) => cb(null, { requestId: call.request.requestId, consumerId: 1n, consumerName: call.request.consumerName }),
    receiveMessages: (call) => call.end(),
    ack: (call, cb) => cb(null, { requestId: call.request.requestId }),
    nack: (call, cb) => cb(null, { requestId: call.request.requestId }),
  };
  server.addService(ProducerServiceService, producer);
  server.addService(ConsumerServiceService, consumer);
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return { url: `http://127.0.0.1:${port}`, close: async () => server.forceShutdown() };
}

/**
 * Retains `count` 1 KiB messages in a reliable topic and prints the memory it took.
 * Messages go through the SendMessage handler as grpc-js would call it (one decoded
 * message per call); only the network is left out, so a million fit in seconds.
 */
async function runMemoryChild(count: number): Promise<void> {
  const { BrokerState } = await import('../src/broker/state.js');
  const { parseBrokerOptions } = await import('../src/broker/options.js');
  const { Subscription } = await import('../src/broker/subscription.js');
  const { Faults } = await import('../src/broker/faults.js');
  const { producerService } = await import('../src/broker/services/producer-service.js');
  const options = parseBrokerOptions({});
  const state = new BrokerState(options, options.logger);
  const ctx = { index: 0, state, auth: null, faults: new Faults(() => 0), url: () => '', urlOf: () => '', proxyUrl: () => undefined };
  const service = producerService(ctx);
  const topic = state.createTopic('/default/memory', true, 0);
  topic.addSubscription(new Subscription('s', 'exclusive', topic, state.policyFor(topic.name, 's')));
  let producerId = 0n;
  const fail = (e: unknown): void => {
    if (e) throw e;
  };
  service.createProducer(
    { request: { requestId: 0n, producerName: 'bench-producer', topicName: topic.name, producerAccessMode: 0, dispatchStrategy: 1 } } as never,
    (e, r) => {
      fail(e);
      producerId = r!.producerId;
    },
  );
  const wire = StreamMessage.encode({
    requestId: 0n,
    msgId: { producerId, topicName: topic.name, brokerAddr: 'http://127.0.0.1:6650', topicOffset: 0n },
    payload: PAYLOAD,
    publishTime: BigInt(Date.now()),
    producerName: 'bench-producer',
    subscriptionName: '',
    attributes: {},
  }).finish();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < count; i++) {
    const msg = StreamMessage.decode(wire);
    msg.requestId = BigInt(i);
    service.sendMessage({ request: msg } as never, fail);
  }
  gc?.();
  const after = process.memoryUsage().rss;
  if (topic.log!.size !== count) throw new Error(`retained ${topic.log!.size} of ${count}`);
  const mu = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ rssMb: (after - before) / 1048576, heapMb: mu.heapUsed / 1048576, buffersMb: mu.arrayBuffers / 1048576 })}\n`);
}

// ---- load generation ---------------------------------------------------------------

/**
 * Keeps `inFlight` calls running until `total` completed or `budgetMs` elapsed (then
 * waits for the calls still out); returns how many completed.
 */
function windowed(total: number, inFlight: number, op: (i: number, done: (err: ServiceError | null) => void) => void, budgetMs = Infinity): Promise<number> {
  return new Promise((resolve, reject) => {
    let started = 0;
    let completed = 0;
    const t0 = performance.now();
    const deadline = t0 + budgetMs;
    const done = (err: ServiceError | null): void => {
      if (err) return reject(err);
      completed++;
      if (started < total && performance.now() < deadline) op(started++, done);
      else if (completed === started) resolve(completed);
    };
    for (let i = 0; i < Math.min(inFlight, total); i++) op(started++, done);
  });
}

interface Target {
  producer: ProducerServiceClient;
  consumer: ConsumerServiceClient;
}

const connect = (url: string): Target => {
  const t = url.replace(/^https?:\/\//, '');
  return { producer: new ProducerServiceClient(t, credentials.createInsecure()), consumer: new ConsumerServiceClient(t, credentials.createInsecure()) };
};

/** A server in a child process: its URL, and its own CPU use on request (`cpu` on stdin). */
interface ServerChild {
  url: string;
  child: ChildProcess;
  lines: Interface;
  cpuUs(): Promise<number>;
}

async function startServerChild(kind: 'noop' | 'broker'): Promise<ServerChild> {
  // BENCH_PROFILE_DIR=dir: each server child writes a V8 CPU profile there when it exits.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, 'bin/run-ts.mjs', self, '--child=server', kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${kind} server child did not answer within 30 s`)), 30_000);
      lines.once('line', (l) => (clearTimeout(timer), resolve(l)));
    });
  const url = (await next()).split(' ').pop()!;
  return {
    url,
    child,
    lines,
    cpuUs: async () => {
      const answer = next();
      child.stdin!.write('cpu\n');
      return Number(await answer);
    },
  };
}

/** Child mode: one server, answering `cpu` with its user+system CPU in µs. */
async function runServerChild(kind: string): Promise<void> {
  const server = kind === 'noop' ? await startNoopServer() : await startBroker({ port: 0, dispatch: { maxUnackedMessages: 10_000 }, logger: silentLogger });
  // A clean exit on SIGTERM, so that a --cpu-prof profile gets written.
  process.once('SIGTERM', () => process.exit(0));
  process.stdout.write(`listening on ${server.url}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'cpu') {
      const c = process.cpuUsage();
      process.stdout.write(`${c.user + c.system}\n`);
    }
  }
  await server.close();
}

/** One measurement: calls/s seen by the client, CPU µs per call spent by the server process. */
interface Sample {
  rate: number;
  serverCpuPerCall: number;
}

async function timed(server: ServerChild, run: () => Promise<number>): Promise<Sample> {
  const c0 = await server.cpuUs();
  const t0 = performance.now();
  const calls = await run();
  const seconds = (performance.now() - t0) / 1000;
  const c1 = await server.cpuUs();
  return { rate: calls / seconds, serverCpuPerCall: (c1 - c0) / calls };
}

let seq = 0;
async function sendRate(server: ServerChild, t: Target, calls: number, budgetMs: number): Promise<Sample> {
  const topic = `/default/bench-send-${seq++}`;
  const { producerId } = await new Promise<{ producerId: bigint }>((res, rej) =>
    t.producer.createProducer(
      { requestId: 1n, producerName: 'bench', topicName: topic, producerAccessMode: ProducerAccessMode.Shared, dispatchStrategy: DispatchStrategy.Reliable },
      (e, r) => (e ? rej(e) : res(r)),
    ),
  );
  const msgId = { producerId, topicName: topic, brokerAddr: '', topicOffset: 0n };
  await settle();
  return timed(server, () =>
    windowed(
      calls,
      IN_FLIGHT,
      (i, done) =>
        t.producer.sendMessage(
          { requestId: BigInt(i), msgId, payload: PAYLOAD, publishTime: BigInt(Date.now()), producerName: 'bench', subscriptionName: '', attributes: {} },
          (e) => done(e),
        ),
      budgetMs,
    ),
  );
}

/** Acks `count` messages already delivered to a consumer (reliable window 10000). */
async function ackRate(server: ServerChild, t: Target, count: number, broker: boolean, budgetMs: number): Promise<Sample> {
  const topic = `/default/bench-ack-${seq++}`;
  let acks: AckRequest[];
  let stream: { cancel(): void } | undefined;
  if (broker) {
    const { producerId } = await new Promise<{ producerId: bigint }>((res, rej) =>
      t.producer.createProducer(
        { requestId: 1n, producerName: 'bench', topicName: topic, producerAccessMode: ProducerAccessMode.Shared, dispatchStrategy: DispatchStrategy.Reliable },
        (e, r) => (e ? rej(e) : res(r)),
      ),
    );
    const { consumerId } = await new Promise<{ consumerId: bigint }>((res, rej) =>
      t.consumer.subscribe(
        {
          requestId: 1n,
          topicName: topic,
          consumerName: 'c',
          subscription: 'bench',
          subscriptionType: ConsumerRequest_SubscriptionType.Exclusive,
          keyFilters: [],
        },
        (e, r) => (e ? rej(e) : res(r)),
      ),
    );
    const received: StreamMessage[] = [];
    const rx = t.consumer.receiveMessages({ requestId: 1n, consumerId });
    stream = rx;
    const all = new Promise<void>((res) => rx.on('data', (m: StreamMessage) => received.push(m) === count && res()));
    rx.on('error', () => {});
    await new Promise((r) => setTimeout(r, 50));
    const msgId = { producerId, topicName: topic, brokerAddr: '', topicOffset: 0n };
    await windowed(count, IN_FLIGHT, (i, done) =>
      t.producer.sendMessage(
        { requestId: BigInt(i), msgId, payload: PAYLOAD, publishTime: 0n, producerName: 'bench', subscriptionName: '', attributes: {} },
        (e) => done(e),
      ),
    );
    await all;
    acks = received.map((m) => ({ requestId: m.requestId, msgId: m.msgId, subscriptionName: 'bench' }));
  } else {
    acks = Array.from({ length: count }, (_, i) => ({
      requestId: BigInt(i),
      msgId: { producerId: 1n, topicName: topic, brokerAddr: '', topicOffset: BigInt(i) },
      subscriptionName: 'bench',
    }));
  }
  await settle();
  const sample = await timed(server, () => windowed(count, IN_FLIGHT, (i, done) => t.consumer.ack(acks[i]!, (e) => done(e)), budgetMs));
  stream?.cancel();
  return sample;
}

/** Lets the garbage of a set-up phase be collected before a measurement starts. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 200));

const bench: Bench = async ({ quick }) => {
  // Each measurement stops at its call count or its time budget, whichever comes first,
  // so the module stays within its time on a slow or busy machine.
  const sends = quick ? 20_000 : 100_000;
  const ackCount = quick ? 2_000 : 10_000;
  const budgetMs = quick ? 1_000 : 3_000;
  const rounds = quick ? 2 : 5;
  const retained = quick ? 100_000 : 1_000_000;
  const runTs = ['bin/run-ts.mjs'];
  const rows: BenchRow[] = [];
  const samples = { sendNoop: [] as Sample[], sendBroker: [] as Sample[], ackNoop: [] as Sample[], ackBroker: [] as Sample[] };
  // Every measurement gets a server process of its own, warmed up on the same calls: what one
  // measurement leaves behind (garbage, retained messages) never weighs on the next.
  const measure = async (kind: 'noop' | 'broker', what: 'send' | 'ack'): Promise<Sample> => {
    const server = await startServerChild(kind);
    const t = connect(server.url);
    try {
      if (what === 'send') {
        await sendRate(server, t, 2_000, 500);
        return await sendRate(server, t, sends, budgetMs);
      }
      await ackRate(server, t, 1_000, kind === 'broker', 500);
      return await ackRate(server, t, ackCount, kind === 'broker', budgetMs);
    } finally {
      t.producer.close();
      t.consumer.close();
      server.child.stdin!.end();
      server.child.kill('SIGTERM');
    }
  };
  // Alternate which server goes first, so drift in the machine's load hits both alike.
  for (let round = 0; round < rounds; round++) {
    const pairs: Array<() => Promise<void>> = [
      async () => void samples.sendNoop.push(await measure('noop', 'send')),
      async () => void samples.sendBroker.push(await measure('broker', 'send')),
      async () => void samples.ackNoop.push(await measure('noop', 'ack')),
      async () => void samples.ackBroker.push(await measure('broker', 'ack')),
    ];
    const order = round % 2 === 0 ? [0, 1, 3, 2] : [1, 0, 2, 3];
    for (const i of order) await pairs[i]!();
  }
  const med = (list: Sample[], key: keyof Sample) => spread(list.map((x) => x[key])).median;
  const range = (list: Sample[]) => {
    const s = spread(list.map((x) => x.serverCpuPerCall));
    return `${s.min.toFixed(1)}–${s.max.toFixed(1)}`;
  };
  const note = (what: 'send' | 'ack') => {
    const [noopS, brokerS] = what === 'send' ? [samples.sendNoop, samples.sendBroker] : [samples.ackNoop, samples.ackBroker];
    return `${IN_FLIGHT} calls in flight, 1 KiB payloads, ≤ ${budgetMs / 1000} s per measurement, median of ${rounds} rounds; server CPU µs/call broker ${range(brokerS)}, no-op ${range(noopS)}; a fresh server process per measurement`;
  };
  rows.push(
    row({
      name: 'broker SendMessage (reliable) vs no-op grpc-js server: server CPU per call',
      unit: 'µs CPU/call',
      baseline: med(samples.sendNoop, 'serverCpuPerCall'),
      value: med(samples.sendBroker, 'serverCpuPerCall'),
      target: 1,
      lowerIsBetter: true,
      note: note('send'),
    }),
  );
  rows.push(
    row({
      name: 'broker Ack (in-flight messages) vs no-op grpc-js server: server CPU per call',
      unit: 'µs CPU/call',
      baseline: med(samples.ackNoop, 'serverCpuPerCall'),
      value: med(samples.ackBroker, 'serverCpuPerCall'),
      target: 1,
      lowerIsBetter: true,
      note: note('ack'),
    }),
  );
  rows.push(
    row({
      name: 'broker SendMessage (reliable) vs no-op grpc-js server',
      unit: 'calls/s',
      baseline: med(samples.sendNoop, 'rate'),
      value: med(samples.sendBroker, 'rate'),
      target: 0.8,
      note: note('send'),
    }),
  );
  rows.push(
    row({
      name: 'broker Ack (in-flight messages) vs no-op grpc-js server',
      unit: 'calls/s',
      baseline: med(samples.ackNoop, 'rate'),
      value: med(samples.ackBroker, 'rate'),
      target: 0.8,
      note: note('ack'),
    }),
  );
  const mem = spawn(process.execPath, ['--expose-gc', ...runTs, self, `--child=memory`, String(retained)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((res, rej) => {
    let out = '';
    mem.stdout!.on('data', (d) => (out += d));
    mem.on('exit', (code) => (code === 0 ? res(out.trim()) : rej(new Error(`memory child exited with ${code}`))));
  });
  const { rssMb, heapMb, buffersMb } = JSON.parse(line) as { rssMb: number; heapMb: number; buffersMb: number };
  const split = `RSS growth; heap ${heapMb.toFixed(0)} MB + buffers ${buffersMb.toFixed(0)} MB`;
  const payloadMb = (retained * PAYLOAD.length) / 1048576;
  rows.push(
    row({
      name: `broker memory, ${retained.toLocaleString('en')} retained 1 KiB messages vs their payload bytes`,
      unit: 'MB',
      baseline: payloadMb,
      value: rssMb,
      target: 0.5,
      lowerIsBetter: true,
      note: quick ? `--quick: ${retained.toLocaleString('en')} messages instead of 1,000,000; ${split}` : split,
    }),
  );
  return rows;
};

export default bench;

const childMode = process.argv.find((a) => a.startsWith('--child='));
if (childMode === '--child=server') await runServerChild(process.argv[process.argv.indexOf('--child=server') + 1]!);
else if (childMode === '--child=memory') await runMemoryChild(Number(process.argv[process.argv.indexOf('--child=memory') + 1]));
