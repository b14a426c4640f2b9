// `danube-connect relay` exporting its spans through the standard OTEL_* variables, to a
// collector stand-in on 127.0.0.1 (OTLP over HTTP, JSON and protobuf) and to the console.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic, startEnv, waitFor, type Env } from '../relay/helpers.js';
import { registerTestTracing, type TestTracing } from './helpers.js';

interface Export {
  path: string;
  contentType: string;
  body: Buffer;
}

let env: Env;
let tracing: TestTracing;
let collector: Server;
let collectorUrl: string;
const exports: Export[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  tracing = registerTestTracing();
  env = await startEnv();
  collector = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    exports.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: Buffer.concat(chunks) });
    res.writeHead(200, { 'content-type': String(req.headers['content-type']) }).end(req.headers['content-type']?.includes('json') ? '{}' : '');
  });
  await new Promise<void>((ok) => collector.listen(0, '127.0.0.1', ok));
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((ok) => collector.close(ok));
  await env.close();
  await tracing.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A relay process on one binding with `otel` added to its environment; resolves once it listens. */
async function relayProcess(
  name: string,
  topic: string,
  otel: Record<string, string>,
): Promise<{ child: ChildProcess; output: () => string; stop(): Promise<number | null> }> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-otel-'));
  dirs.push(dir);
  const config = join(dir, 'relay.json');
  writeFileSync(
    config,
    JSON.stringify({
      bindings: [
        {
          name,
          topic,
          subscription: { name: `${name}-sub`, maxUnackedMessages: 100 },
          batchSize: 10,
          maxBatchingWindowMs: 20,
          function: { type: 'local', module: resolve('test/e2e/tracing/fixtures/noop-sink.mjs') },
        },
      ],
    }),
  );
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  const child = spawn(
    process.execPath,
    ['bin/danube-connect.mjs', 'relay', '--config', config, '--port', '0', '--service-url', env.broker.url, '--log-level', 'warn'],
    {
      env: { ...clean, OTEL_BSP_SCHEDULE_DELAY: '50', ...otel },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  await waitFor(() => /danube relay listening on/.test(text) || child.exitCode !== null, 20_000, 'relay process start');
  if (child.exitCode !== null) throw new Error(`relay exited: ${text}`);
  return {
    child,
    output: () => text,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return new Promise((ok) => child.once('exit', (code) => ok(code)));
    },
  };
}

/** Publishes one message inside a span of this process; resolves with that span's trace id. */
async function publishTraced(topic: string): Promise<string> {
  const producer = await env.client.createProducer({ topic, name: `traced-${Math.random().toString(16).slice(2, 8)}`, dispatch: 'reliable' });
  const traceId = await trace.getTracer('test').startActiveSpan('publish from the test', async (span) => {
    await producer.send('{"n":1}');
    span.end();
    return span.spanContext().traceId;
  });
  await producer.close();
  return traceId;
}

interface JsonSpan {
  name: string;
  traceId: string;
}
const jsonSpans = (e: Export): JsonSpan[] =>
  (JSON.parse(e.body.toString('utf8')) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: JsonSpan[] }> }> }).resourceSpans.flatMap((r) =>
    r.scopeSpans.flatMap((s) => s.spans),
  );

describe('danube-connect relay with OTEL_* variables', () => {
  it('exports its spans as OTLP/JSON to OTEL_EXPORTER_OTLP_ENDPOINT, in the trace of the record', async () => {
    const topic = createTopic(env, 'otlp-json');
    const relay = await relayProcess('otlp-json', topic, {
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'relay-under-test',
    });
    try {
      const traceId = await publishTraced(topic);
      const found = () =>
        exports
          .filter((e) => e.contentType.includes('json'))
          .flatMap(jsonSpans)
          .filter((s) => s.name === `relay ${topic}`);
      await waitFor(() => found().length > 0, 15_000, 'the relay span at the collector');
      expect(found()[0]!.traceId).toBe(traceId);
      const names = exports
        .filter((e) => e.contentType.includes('json'))
        .flatMap(jsonSpans)
        .filter((s) => s.traceId === traceId)
        .map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining([`relay ${topic}`, 'invoke otlp-json', `process ${topic}`, `ack ${topic}`]));
      const body = exports.find((e) => e.contentType.includes('json') && e.body.includes('relay-under-test'));
      expect(body?.path).toBe('/v1/traces');
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  });

  it('exports OTLP/protobuf by default, and prints spans with OTEL_TRACES_EXPORTER=console', async () => {
    const topic = createTopic(env, 'otlp-proto');
    const relay = await relayProcess('otlp-proto', topic, {
      OTEL_TRACES_EXPORTER: 'otlp,console',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collectorUrl}/custom/traces`,
    });
    try {
      const traceId = await publishTraced(topic);
      const proto = () => exports.filter((e) => e.contentType === 'application/x-protobuf' && e.body.includes(Buffer.from(traceId, 'hex')));
      await waitFor(() => proto().some((e) => e.body.includes(`relay ${topic}`)), 15_000, 'the relay span at the collector');
      expect(proto()[0]!.path).toBe('/custom/traces');
      await waitFor(() => relay.output().includes(`relay ${topic}`), 5_000, 'the console exporter');
      expect(relay.output()).toContain(traceId);
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  });

  it('without OTEL_* variables it exports nothing', async () => {
    const topic = createTopic(env, 'otlp-off');
    const before = exports.length;
    const relay = await relayProcess('otlp-off', topic, {});
    try {
      await publishTraced(topic);
      await new Promise((ok) => setTimeout(ok, 500));
    } finally {
      expect(await relay.stop()).toBe(0);
    }
    expect(exports.length).toBe(before);
  });
});
