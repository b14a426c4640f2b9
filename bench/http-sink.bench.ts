// The HTTP sink's throughput beside a raw `fetch` loop, in the same run, to the same local HTTP
// server (answers 204 at once):
// - baseline: N POSTs of the same payloads from a plain `fetch` loop with the same concurrency;
// - value: the same N records waiting on a reliable Danube topic, read by the relay (batch 100,
//   window 1,000) and delivered by `httpSink` (one POST per record, concurrency 16, metadata
//   headers and idempotency key), timed from relay start until every record was acknowledged.
// The broker runs in a child process (`danube-connect broker`), so its CPU is not the relay's.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { DanubeClient } from '../src/client/index.js';
import { httpSink } from '../src/connectors/http-sink/index.js';
import { silentLogger } from '../src/core/logger.js';
import { startRelay, type RelayConfigInput } from '../src/relay/index.js';
import { row, type Bench } from './types.js';

const CONCURRENCY = 16;
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

async function throughRelay(client: DanubeClient, url: string, topic: string, total: number, received: () => number): Promise<number> {
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
  const before = received();
  const t0 = performance.now();
  const relay = await startRelay({ bindings: [binding] }, { client, sinks });
  const status = () => relay.status().bindings[0]!;
  await until(() => status().counts.succeeded >= total && status().oldestUnackedAgeMs === 0, 120_000);
  const rate = total / ((performance.now() - t0) / 1000);
  await relay.close();
  if (received() - before < total) throw new Error('http-sink bench: the server saw fewer requests than records');
  return rate;
}

const bench: Bench = async ({ quick }) => {
  const total = quick ? 1_000 : 5_000;
  const rounds = quick ? 1 : 3;
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
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
  try {
    await rawLoop(url, Math.min(total, 500)); // warm-up: JIT and keep-alive connections
    for (let r = 0; r < rounds; r++) {
      const topic = `/default/http-sink-bench-${process.pid}-${r}`;
      // Alternate which goes first so neither always meets a fresher process.
      if (r % 2 === 0) {
        raw = Math.max(raw, await rawLoop(url, total));
        ours = Math.max(ours, await throughRelay(client, url, topic, total, () => requests));
      } else {
        ours = Math.max(ours, await throughRelay(client, url, topic, total, () => requests));
        raw = Math.max(raw, await rawLoop(url, total));
      }
    }
  } finally {
    await client.close();
    broker.kill('SIGTERM');
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  return [row({
    name: `http-sink: records/s through the relay (batch 100, concurrency ${CONCURRENCY}) vs raw fetch loop (concurrency ${CONCURRENCY})`,
    unit: 'records/s', baseline: raw, value: ours, target: 0.8,
    note: `${total.toLocaleString('en')} records of ${PAYLOAD.length} B to a local 204 server, best of ${rounds}; the relay run includes reading from the broker and acking`,
  })];
};

export default bench;
