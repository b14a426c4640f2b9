// The embedded broker's own figures, each beside its baseline in the same run:
// - SendMessage and Ack calls/s of the broker vs a raw @grpc/grpc-js server with the
//   same service definitions whose handlers answer at once (both servers in this
//   process beside the load generator, alternating, the same calls in flight);
// - resident memory of 1 million retained 1 KiB messages (a reliable topic whose one
//   subscription has acked nothing) vs the payload bytes themselves.
import { spawn } from 'node:child_process';
import { startBroker } from '../src/broker/index.js';
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
import { row, type Bench, type BenchRow } from './types.js';

const IN_FLIGHT = 64;
const PAYLOAD = Buffer.alloc(1024, 7);
const self = new URL(import.meta.url).pathname;

// ---- child modes -------------------------------------------------------------------

/** A server with the broker's service definitions whose handlers answer at once. */
async function startNoopServer(): Promise<{ url: string; close: () => void }> {
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
  return { url: `http://127.0.0.1:${port}`, close: () => server.forceShutdown() };
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
    requestId: 0n, msgId: { producerId, topicName: topic.name, brokerAddr: 'http://127.0.0.1:6650', topicOffset: 0n },
    payload: PAYLOAD, publishTime: BigInt(Date.now()), producerName: 'bench-producer', subscriptionName: '', attributes: {},
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
 * waits for the calls still out); returns completed calls per second.
 */
function windowed(
  total: number,
  inFlight: number,
  op: (i: number, done: (err: ServiceError | null) => void) => void,
  budgetMs = Infinity,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let started = 0;
    let completed = 0;
    const t0 = performance.now();
    const deadline = t0 + budgetMs;
    const done = (err: ServiceError | null): void => {
      if (err) return reject(err);
      completed++;
      if (started < total && performance.now() < deadline) op(started++, done);
      else if (completed === started) resolve(completed / ((performance.now() - t0) / 1000));
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

let seq = 0;
async function sendRate(t: Target, calls: number, budgetMs: number): Promise<number> {
  const topic = `/default/bench-send-${seq++}`;
  const { producerId } = await new Promise<{ producerId: bigint }>((res, rej) =>
    t.producer.createProducer(
      { requestId: 1n, producerName: 'bench', topicName: topic, producerAccessMode: ProducerAccessMode.Shared, dispatchStrategy: DispatchStrategy.Reliable },
      (e, r) => (e ? rej(e) : res(r)),
    ),
  );
  const msgId = { producerId, topicName: topic, brokerAddr: '', topicOffset: 0n };
  return windowed(calls, IN_FLIGHT, (i, done) =>
    t.producer.sendMessage(
      { requestId: BigInt(i), msgId, payload: PAYLOAD, publishTime: BigInt(Date.now()), producerName: 'bench', subscriptionName: '', attributes: {} },
      (e) => done(e),
    ),
    budgetMs,
  );
}

/** Acks `count` messages already delivered to a consumer (reliable window 10000). */
async function ackRate(t: Target, count: number, broker: boolean, budgetMs: number): Promise<number> {
  const topic = `/default/bench-ack-${seq++}`;
  let acks: AckRequest[];
  if (broker) {
    const { producerId } = await new Promise<{ producerId: bigint }>((res, rej) =>
      t.producer.createProducer(
        { requestId: 1n, producerName: 'bench', topicName: topic, producerAccessMode: ProducerAccessMode.Shared, dispatchStrategy: DispatchStrategy.Reliable },
        (e, r) => (e ? rej(e) : res(r)),
      ),
    );
    const { consumerId } = await new Promise<{ consumerId: bigint }>((res, rej) =>
      t.consumer.subscribe(
        { requestId: 1n, topicName: topic, consumerName: 'c', subscription: 'bench', subscriptionType: ConsumerRequest_SubscriptionType.Exclusive, keyFilters: [] },
        (e, r) => (e ? rej(e) : res(r)),
      ),
    );
    const received: StreamMessage[] = [];
    const stream = t.consumer.receiveMessages({ requestId: 1n, consumerId });
    const all = new Promise<void>((res) => stream.on('data', (m: StreamMessage) => received.push(m) === count && res()));
    stream.on('error', () => {});
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
    await settle();
    const rate = await windowed(count, IN_FLIGHT, (i, done) => t.consumer.ack(acks[i]!, (e) => done(e)), budgetMs);
    stream.cancel();
    return rate;
  }
  acks = Array.from({ length: count }, (_, i) => ({
    requestId: BigInt(i), msgId: { producerId: 1n, topicName: topic, brokerAddr: '', topicOffset: BigInt(i) }, subscriptionName: 'bench',
  }));
  await settle();
  return windowed(count, IN_FLIGHT, (i, done) => t.consumer.ack(acks[i]!, (e) => done(e)), budgetMs);
}

/** Lets the garbage of a set-up phase be collected before a measurement starts. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 200));

const bench: Bench = async ({ quick }) => {
  // Each measurement stops at its call count or its time budget, whichever comes first,
  // so the module stays within its time on a slow or busy machine.
  const sends = quick ? 20_000 : 100_000;
  const ackCount = quick ? 2_000 : 10_000;
  const budgetMs = quick ? 1_000 : 3_000;
  const rounds = quick ? 1 : 3;
  const retained = quick ? 100_000 : 1_000_000;
  const runTs = ['bin/run-ts.mjs'];
  const noop = await startNoopServer();
  const broker = await startBroker({ port: 0, dispatch: { maxUnackedMessages: 10_000 } });
  const rows: BenchRow[] = [];
  try {
    const n = connect(noop.url);
    const b = connect(broker.url);
    await sendRate(n, 1000, 500); // warm-up both
    await sendRate(b, 1000, 500);
    let sendNoop = 0;
    let sendBroker = 0;
    let ackNoop = 0;
    let ackBroker = 0;
    // Alternate which server goes first, so drift in the machine's load hits both alike.
    for (let round = 0; round < rounds; round++) {
      const pairs: Array<() => Promise<void>> = [
        async () => void (sendNoop = Math.max(sendNoop, await sendRate(n, sends, budgetMs))),
        async () => void (sendBroker = Math.max(sendBroker, await sendRate(b, sends, budgetMs))),
        async () => void (ackNoop = Math.max(ackNoop, await ackRate(n, ackCount, false, budgetMs))),
        async () => void (ackBroker = Math.max(ackBroker, await ackRate(b, ackCount, true, budgetMs))),
      ];
      const order = round % 2 === 0 ? [0, 1, 3, 2] : [1, 0, 2, 3];
      for (const i of order) await pairs[i]!();
    }
    const note = `${IN_FLIGHT} calls in flight, 1 KiB payloads, ${budgetMs / 1000} s per measurement, best of ${rounds}`;
    rows.push(row({ name: 'broker SendMessage (reliable) vs no-op grpc-js server', unit: 'calls/s', baseline: sendNoop, value: sendBroker, target: 0.8, note }));
    rows.push(row({ name: 'broker Ack (in-flight messages) vs no-op grpc-js server', unit: 'calls/s', baseline: ackNoop, value: ackBroker, target: 0.8, note }));
    for (const t of [n, b]) {
      t.producer.close();
      t.consumer.close();
    }
  } finally {
    noop.close();
    await broker.close();
  }
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
if (childMode === '--child=memory') await runMemoryChild(Number(process.argv[process.argv.indexOf('--child=memory') + 1]));
