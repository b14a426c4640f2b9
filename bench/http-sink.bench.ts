// The HTTP sink's throughput beside a raw `fetch` loop, in the same run, to the same local HTTP
// server (a child process that answers 204 at once):
// - baseline: N POSTs of the same payloads from a plain `fetch` loop with the same concurrency;
// - row 1: the same N records waiting on a reliable Danube topic, read by the relay (batch 100,
//   window 1,000) and delivered by `httpSink` (one POST per record, concurrency 16, metadata
//   headers and idempotency key), timed from relay start until every record was acknowledged;
// - row 2: the sink alone (`runSink` on batches of 100 sink events), which isolates the sink's
//   own cost from the relay's reading and acking.
// The broker runs in a child process (`danube-connect broker`), so its CPU is not the relay's.
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
const PAYLOAD = JSON.stringify({ order: 'o-123456', amount: 42.5, items: [1, 2, 3], note: 'x'.repeat(150) });

const until = async (cond: () => boolean, timeoutMs: number): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('http-sink bench: step timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
};

async function rawLoop(url: string, total: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      const res = await fetch(url, { method: 'POST', body: PAYLOAD, headers: { 'content-type': 'application/json' } });
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
    encodeSinkBatch(Array.from({ length: Math.min(100, total - b * 100) }, (_, i) => ({
      topic: '/default/bench-part-0', offset: BigInt(b * 100 + i), publishTime: Date.now(), producerName: 'bench',
      attributes: { 'content-type': 'application/json' }, payload,
    })), { binding: 'bench', topic: '/default/bench', subscription: 'bench' }));
  const t0 = performance.now();
  for (const event of events) {
    const outcome = await runSink(sink, event);
    if (outcome.status !== 'success') throw new Error(`http-sink bench: sink reported ${outcome.status}`);
  }
  return total / ((performance.now() - t0) / 1000);
}

async function throughRelay(client: DanubeClient, url: string, topic: string, total: number, received: () => Promise<number>): Promise<number> {
  const binding = {
    name: 'http', topic, subscription: { name: 'http-sub', maxUnackedMessages: WINDOW }, function: { type: 'local', module: 'in-process' },
    batchSize: 100, maxBatchingWindowMs: 50,
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
  const ask = (line: string) => new Promise<string>((resolve) => { waiting.push(resolve); serverChild.stdin!.write(`${line}\n`); });
  const url = `http://127.0.0.1:${await ask('port')}/hook`;
  const refreshCount = async () => Number(await ask('count'));
  const broker = spawn(process.execPath, ['bin/danube-connect.mjs', 'broker', '--port', '0', '--max-unacked', String(WINDOW)], { stdio: ['ignore', 'pipe', 'inherit'] });
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
  const note = `${total.toLocaleString('en')} records of ${PAYLOAD.length} B to a local 204 server (own process), best of ${rounds}`;
  return [
    row({
      name: `http-sink: records/s through the relay (batch 100, concurrency ${CONCURRENCY}) vs raw fetch loop (concurrency ${CONCURRENCY})`,
      unit: 'records/s', baseline: raw, value: ours, target: 0.8,
      note: `${note}; the relay run also reads every record from the broker and acks it, in the same process`,
    }),
    row({
      name: `http-sink: records/s of the sink alone (runSink, batches of 100, concurrency ${CONCURRENCY}) vs raw fetch loop`,
      unit: 'records/s', baseline: raw, value: alone, target: 0.8, note,
    }),
  ];
};

export default bench;
