// The HTTP sink's throughput beside a raw `fetch` loop, in the same run, to the same local HTTP
// server (a child process that answers 204 at once):
// - baseline: a plain `fetch` loop sending the same requests the sink sends (same payloads, same
//   headers: content type, idempotency key, the x-danube-* metadata), 16 requests in flight;
// - row 1: the same N records waiting on a reliable Danube topic, read by the relay (batch 100,
//   one batch in flight) and delivered by `httpSink` (one POST per record, 16 requests in
//   flight), timed from relay start until every record was acknowledged. The subscription window
//   (broker `max_unacked_messages`, set on the broker's command line) is 1,000, above batch size
//   × batches in flight, so the broker never holds the relay back;
// - row 2: the sink alone (`runSink` on batches of 100 sink events), which isolates the sink's
//   own cost from the relay's reading and acking.
// The broker runs in a child process (`danube-connect broker`), so its CPU is not the relay's.
// The relay process does the sink's HTTP work and also receives and acks every message over
// gRPC (one Ack call per message, as the protocol has it): where that process is CPU-bound, row 1
// stays below the baseline by the share of receive+ack in its work. `bench relay` measures that
// path alone against raw generated stubs.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DanubeClient } from '../src/client/index.js';
import { httpSink } from '../src/connectors/http-sink/index.js';
import { silentLogger } from '../src/core/logger.js';
import { startRelay, type RelayConfigInput } from '../src/relay/index.js';
import { encodeSinkBatch } from '../src/sink/event.js';
import { runSink } from '../src/sink/run.js';
import { row, type Bench } from './types.js';

const CONCURRENCY = 16;
/** Relay batches in flight (the binding's maxConcurrency, default 1). */
const BATCHES_IN_FLIGHT = 1;
const BATCH = 100;
const SERVER = `
const http = require('node:http');
let count = 0;
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => { count++; res.writeHead(204).end(); }); });
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1');
require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => {
  if (l === 'port') console.log(server.address().port);
  if (l === 'count') console.log(count);
}).on('close', () => process.exit(0));
`;
const WINDOW = 1_000;
// Below batch size × batches in flight the broker, not the relay or the sink, would set the pace.
if (WINDOW < BATCH * BATCHES_IN_FLIGHT) throw new Error('http-sink bench: the subscription window must hold every batch in flight');
const PAYLOAD = JSON.stringify({ order: 'o-123456', amount: 42.5, items: [1, 2, 3], note: 'x'.repeat(150) });

const until = async (cond: () => boolean, timeoutMs: number): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('http-sink bench: step timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
};

const PARTITION = '/default/http-sink-bench-part-0';

/** The headers the sink sends for a record (defaults: metadata headers and idempotency key). */
function sameHeaders(offset: number, publishTime: number): Record<string, string> {
  const id = `${PARTITION}@${offset}`;
  return {
    'content-type': 'application/json',
    'idempotency-key': id,
    'x-danube-topic': '/default/http-sink-bench',
    'x-danube-partition-topic': PARTITION,
    'x-danube-offset': String(offset),
    'x-danube-publish-time': String(publishTime),
    'x-danube-record-id': id,
    'x-danube-attempt': '1',
  };
}

async function rawLoop(url: string, total: number): Promise<number> {
  let next = 0;
  const publishTime = Date.now();
  const t0 = performance.now();
  const worker = async () => {
    while (next < total) {
      const offset = next++;
      const res = await fetch(url, { method: 'POST', body: PAYLOAD, headers: sameHeaders(offset, publishTime) });
      await res.text();
      if (!res.ok) throw new Error(`raw loop: ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return total / ((performance.now() - t0) / 1000);
}

async function sinkAlone(url: string, total: number): Promise<number> {
  const sink = httpSink({ url, concurrency: CONCURRENCY });
  const payload = new TextEncoder().encode(PAYLOAD);
  const events = Array.from({ length: Math.ceil(total / 100) }, (_, b) =>
    encodeSinkBatch(
      Array.from({ length: Math.min(100, total - b * 100) }, (_, i) => ({
        topic: PARTITION,
        offset: BigInt(b * 100 + i),
        publishTime: Date.now(),
        producerName: 'bench',
        attributes: { 'content-type': 'application/json' },
        payload,
      })),
      { binding: 'bench', topic: '/default/http-sink-bench', subscription: 'bench' },
    ),
  );
  const t0 = performance.now();
  for (const event of events) {
    const outcome = await runSink(sink, event);
    if (outcome.status !== 'success') throw new Error(`http-sink bench: sink reported ${outcome.status}`);
  }
  return total / ((performance.now() - t0) / 1000);
}

async function throughRelay(client: DanubeClient, url: string, topic: string, total: number, received: () => Promise<number>): Promise<number> {
  const binding = {
    name: 'http',
    topic,
    subscription: { name: 'http-sub', maxUnackedMessages: WINDOW },
    function: { type: 'local', module: 'in-process' },
    batchSize: BATCH,
    maxBatchingWindowMs: 50,
    maxConcurrency: BATCHES_IN_FLIGHT,
  } as RelayConfigInput['bindings'][number];
  const sinks = { http: httpSink({ url, concurrency: CONCURRENCY }) };
  // The subscription starts at Latest: create it, then write the backlog, then time a fresh relay.
  const producer = await client.createProducer({ topic, name: 'fill', dispatch: 'reliable', mode: 'pipelined' });
  const first = await startRelay({ bindings: [binding] }, { client, sinks });
  await first.close();
  for (let i = 0; i < total; i++) void producer.send(PAYLOAD, { attributes: { 'content-type': 'application/json' } });
  await producer.flush();
  await producer.close();
  const before = await received();
  const t0 = performance.now();
  const relay = await startRelay({ bindings: [binding] }, { client, sinks });
  const status = () => relay.status().bindings[0]!;
  await until(() => status().counts.succeeded >= total && status().oldestUnackedAgeMs === 0, 120_000);
  const rate = total / ((performance.now() - t0) / 1000);
  await relay.close();
  if ((await received()) - before < total) throw new Error('http-sink bench: the server saw fewer requests than records');
  return rate;
}

const bench: Bench = async ({ quick }) => {
  const total = quick ? 1_000 : 3_000;
  const rounds = quick ? 1 : 3;
  // The endpoint in its own process, counting requests; `count` on stdin asks for the count.
  const serverChild = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const serverLines = createInterface({ input: serverChild.stdout! });
  const waiting: ((line: string) => void)[] = [];
  serverLines.on('line', (l) => waiting.shift()?.(l));
  const ask = (line: string) =>
    new Promise<string>((resolve) => {
      waiting.push(resolve);
      serverChild.stdin!.write(`${line}\n`);
    });
  const url = `http://127.0.0.1:${await ask('port')}/hook`;
  const refreshCount = async () => Number(await ask('count'));
  const broker = spawn(process.execPath, ['bin/danube-connect.mjs', 'broker', '--port', '0', '--max-unacked', String(WINDOW)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const brokerUrl = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: broker.stdout! });
    lines.on('line', (l) => {
      const m = /listening on (\S+)/.exec(l);
      if (m) resolve(m[1]!);
    });
    broker.once('exit', (code) => reject(new Error(`broker exited (${code})`)));
  });
  const client = new DanubeClient({ serviceUrl: brokerUrl, logger: silentLogger });
  let raw = 0;
  let ours = 0;
  let alone = 0;
  try {
    // Warm-up: JIT and keep-alive connections for both paths.
    await rawLoop(url, 500);
    await sinkAlone(url, 500);
    for (let r = 0; r < rounds; r++) {
      const topic = `/default/http-sink-bench-${process.pid}-${r}`;
      const relayRun = () => throughRelay(client, url, topic, total, refreshCount);
      // Alternate which goes first so neither always meets a fresher process.
      if (r % 2 === 0) {
        raw = Math.max(raw, await rawLoop(url, total));
        alone = Math.max(alone, await sinkAlone(url, total));
        ours = Math.max(ours, await relayRun());
      } else {
        ours = Math.max(ours, await relayRun());
        alone = Math.max(alone, await sinkAlone(url, total));
        raw = Math.max(raw, await rawLoop(url, total));
      }
    }
  } finally {
    await client.close();
    broker.kill('SIGTERM');
    serverChild.stdin!.end();
    serverChild.kill('SIGTERM');
  }
  const note = `${total.toLocaleString('en')} records of ${PAYLOAD.length} B with the same headers to a local 204 server (own process), best of ${rounds}`;
  return [
    row({
      name: `http-sink: records/s through the relay (batch ${BATCH}, concurrency ${CONCURRENCY}) vs raw fetch loop (concurrency ${CONCURRENCY})`,
      unit: 'records/s',
      baseline: raw,
      value: ours,
      target: 0.8,
      note: `${note}; window ${WINDOW} ≥ ${BATCH} × ${BATCHES_IN_FLIGHT}; the relay run also reads every record from the broker and acks it (one gRPC call each), in the same process`,
    }),
    row({
      name: `http-sink: records/s of the sink alone (runSink, batches of 100, concurrency ${CONCURRENCY}) vs raw fetch loop`,
      unit: 'records/s',
      baseline: raw,
      value: alone,
      target: 0.8,
      note,
    }),
  ];
};

export default bench;
