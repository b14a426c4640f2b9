// One record followed end to end with an OpenTelemetry SDK registered: a source run publishes
// through the embedded broker (gRPC on 127.0.0.1), the relay reads it and invokes a sink, and
// every span lands in one trace. Without an active span nothing is traced at all.
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { AddressInfo } from 'node:net';
import { SpanKind, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../../../src/checkpoint/index.js';
import { InvalidRecordError, SourceRecord } from '../../../src/core/index.js';
import type { SinkRecord } from '../../../src/core/records.js';
import { startRelay, type Relay } from '../../../src/relay/index.js';
import { fetchSink } from '../../../src/runtime/cloudflare/index.js';
import { defineSink } from '../../../src/sink/index.js';
import type { SinkBatchEventV1 } from '../../../src/sink/event.js';
import { defineSource, runSource } from '../../../src/source/index.js';
import { binding, collector, createTopic, startEnv, waitFor, type Env } from '../relay/helpers.js';
import { parentOf, registerTestTracing, traceparentOf, type TestTracing } from './helpers.js';

let env: Env;
let tracing: TestTracing;
const relays: Relay[] = [];

beforeAll(async () => {
  tracing = registerTestTracing();
  env = await startEnv();
});
afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()));
  await env.close();
  await tracing.stop();
});

async function relay(...args: Parameters<typeof startRelay>): Promise<Relay> {
  const r = await startRelay(args[0], { client: env.client, ...args[1] });
  relays.push(r);
  return r;
}

/** A source that publishes `items` once, in one poll. */
function onceSource(name: string, topic: string, items: string[]) {
  return defineSource<number>({
    name,
    topic,
    initialCheckpoint: 0,
    async poll({ checkpoint }) {
      const from = checkpoint ?? 0;
      return { records: items.slice(from).map((i) => SourceRecord.fromJson({ item: i })), checkpoint: items.length, done: true };
    },
  });
}

const attr = (span: { attributes: Record<string, unknown> }, key: string) => span.attributes[key];

describe('tracing from source to sink', () => {
  it('puts the source run, the relay and an in-process sink into one trace', async () => {
    tracing.exporter.reset();
    const topic = createTopic(env, 'traced');
    const seen: SinkRecord[] = [];
    let activeInSink: string | undefined;
    const r = await relay(
      { bindings: [binding({ name: 'traced', topic, batchSize: 10, maxBatchingWindowMs: 200 })] },
      {
        sinks: {
          traced: (records) => {
            seen.push(...records);
            activeInSink = trace.getActiveSpan()?.spanContext().spanId;
          },
        },
      },
    );
    const summary = await runSource(onceSource('orders', topic, ['a', 'b', 'c']), { client: env.client, store: new MemoryCheckpointStore(), budgetMs: 10_000 });
    expect(summary.recordsPublished).toBe(3);
    await waitFor(() => r.status().bindings[0]!.counts.succeeded === 3, 10_000, 'three acks');
    await waitFor(() => tracing.spans().some((s) => s.name === `relay ${topic}`), 5_000, 'the relay span');

    const run = tracing.span('run orders');
    const publish = tracing.span(`publish ${topic}`);
    const relaySpan = tracing.span(`relay ${topic}`);
    const invoke = tracing.span('invoke traced');
    const sink = tracing.span(`process ${topic}`);
    const traceId = run.spanContext().traceId;
    for (const s of [
      tracing.span('poll orders'),
      publish,
      tracing.span('commit orders'),
      relaySpan,
      tracing.span(`receive ${topic}`),
      invoke,
      tracing.span(`ack ${topic}`),
      sink,
    ]) {
      expect(s.spanContext().traceId, s.name).toBe(traceId);
    }
    // Every record carries the batch's publish span as its creation context...
    expect(seen.map((x) => x.attributes.traceparent)).toEqual([traceparentOf(publish), traceparentOf(publish), traceparentOf(publish)]);
    // ...so the relay's span, linked to each record, is its child; invoke and the sink follow.
    expect(parentOf(publish)).toBe(run.spanContext().spanId);
    expect(parentOf(relaySpan)).toBe(publish.spanContext().spanId);
    expect(relaySpan.links.map((l) => l.context.spanId)).toEqual(seen.map(() => publish.spanContext().spanId));
    expect(sink.links.map((l) => l.context.spanId)).toEqual(seen.map(() => publish.spanContext().spanId));
    expect(parentOf(invoke)).toBe(relaySpan.spanContext().spanId);
    expect(parentOf(sink)).toBe(invoke.spanContext().spanId);
    expect(activeInSink).toBe(sink.spanContext().spanId);

    expect(publish.kind).toBe(SpanKind.PRODUCER);
    expect(relaySpan.kind).toBe(SpanKind.CONSUMER);
    expect(sink.kind).toBe(SpanKind.CONSUMER);
    expect(invoke.kind).toBe(SpanKind.CLIENT);
    expect(attr(publish, 'messaging.system')).toBe('danube');
    expect(attr(publish, 'messaging.operation.type')).toBe('send');
    expect(attr(publish, 'messaging.destination.name')).toBe(topic);
    expect(attr(publish, 'messaging.batch.message_count')).toBe(3);
    expect(attr(relaySpan, 'messaging.operation.type')).toBe('process');
    expect(attr(relaySpan, 'messaging.destination.subscription.name')).toBe('traced-sub');
    expect(attr(relaySpan, 'danube.relay.outcome')).toBe('success');
    expect(attr(sink, 'messaging.batch.message_count')).toBe(seen.length);
    expect(attr(tracing.span(`ack ${topic}`), 'messaging.operation.type')).toBe('settle');
  });

  it('over HTTP: the signed event and the headers carry the invoke span, and the sink continues it', async () => {
    tracing.exporter.reset();
    const topic = createTopic(env, 'traced-http');
    const secret = 'tracing-test-secret-0123456789';
    const events: SinkBatchEventV1[] = [];
    const headers: Array<string | undefined> = [];
    const handler = fetchSink(
      defineSink(() => undefined, { name: 'http-sink' }),
      { secret },
    );
    const server: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      events.push(JSON.parse(body.toString('utf8')) as SinkBatchEventV1);
      headers.push(req.headers.traceparent as string | undefined);
      const answer = await handler(new Request(`http://127.0.0.1${req.url}`, { method: 'POST', body, headers: req.headers as Record<string, string> }));
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sink`;
      const r = await relay({ bindings: [binding({ name: 'traced-http', topic, function: { type: 'http', url, secret, timeoutMs: 5_000 } })] });
      await runSource(onceSource('http-orders', topic, ['x']), { client: env.client, store: new MemoryCheckpointStore(), budgetMs: 10_000 });
      await waitFor(() => r.status().bindings[0]!.counts.succeeded === 1, 10_000, 'one ack');
      await waitFor(() => tracing.spans().some((s) => s.name === `relay ${topic}`), 5_000, 'the relay span');
    } finally {
      await new Promise((ok) => server.close(ok));
    }
    const invoke = tracing.span('invoke traced-http');
    const sink = tracing.span(`process ${topic}`);
    expect(events[0]!.traceparent).toBe(traceparentOf(invoke));
    expect(headers[0]).toBe(traceparentOf(invoke));
    expect(events[0]!.records[0]!.attributes.traceparent).toBe(traceparentOf(tracing.span(`publish ${topic}`)));
    expect(parentOf(sink)).toBe(invoke.spanContext().spanId);
    expect(sink.spanContext().traceId).toBe(tracing.span('run http-orders').spanContext().traceId);
    expect(attr(invoke, 'server.address')).toBe('127.0.0.1');
  });

  it('dead-letters under the batch, and the dead letter keeps its original creation context', async () => {
    tracing.exporter.reset();
    const topic = createTopic(env, 'traced-dlq');
    const dlq = createTopic(env, 'traced-dlq-dead');
    const dead = await collector(env.client, dlq);
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
          done();
        },
      }),
    );
    const r = await relay(
      { bindings: [binding({ name: 'traced-dlq', topic, deadLetterTopic: dlq })] },
      {
        logger,
        sinks: {
          'traced-dlq': (records) => {
            throw new InvalidRecordError('never valid', { record: records[0]! });
          },
        },
      },
    );
    await runSource(onceSource('dlq-orders', topic, ['bad']), { client: env.client, store: new MemoryCheckpointStore(), budgetMs: 10_000 });
    await waitFor(() => dead.got.length === 1 && r.status().bindings[0]!.counts.deadLettered === 1, 10_000, 'a dead letter');
    await dead.close();
    await waitFor(() => tracing.spans().some((s) => s.name === `relay ${topic}`), 5_000, 'the relay span');
    const publish = tracing.span(`publish ${topic}`);
    const relaySpan = tracing.span(`relay ${topic}`);
    const deadLetter = tracing.span(`dead-letter ${dlq}`);
    expect(parentOf(deadLetter)).toBe(relaySpan.spanContext().spanId);
    expect(attr(deadLetter, 'danube.dead_letter.reason')).toBe('invalid-record');
    expect(dead.got[0]!.attributes.traceparent).toBe(traceparentOf(publish));
    // The dead letter kept its own context, so the producer added no send span of its own.
    expect(tracing.spans().filter((s) => s.name === `send ${dlq}`)).toEqual([]);
    expect(attr(relaySpan, 'danube.relay.dead_lettered')).toBe(1);
    // The batch's log lines carry its trace.
    expect(lines.find((l) => l.msg === 'batch failed')).toMatchObject({ trace_id: relaySpan.spanContext().traceId, span_id: relaySpan.spanContext().spanId });
  });
});

describe('tracing with nothing to follow', () => {
  it('a record published without an active span carries no trace context and makes no span anywhere', async () => {
    tracing.exporter.reset();
    const topic = createTopic(env, 'untraced');
    const seen: SinkRecord[] = [];
    const r = await relay({ bindings: [binding({ name: 'untraced', topic })] }, { sinks: { untraced: (records) => void seen.push(...records) } });
    const producer = await env.client.createProducer({ topic, name: 'untraced-producer', dispatch: 'reliable' });
    await producer.send('plain', { attributes: { kind: 'plain' } });
    await producer.close();
    await waitFor(() => r.status().bindings[0]!.counts.succeeded === 1, 10_000, 'one ack');
    await new Promise((ok) => setTimeout(ok, 100));
    expect(seen[0]!.attributes).toEqual({ kind: 'plain' });
    expect(tracing.spans()).toEqual([]);
  });

  it('user code sending inside a span gets a send span whose context the message carries', async () => {
    tracing.exporter.reset();
    const topic = createTopic(env, 'user-send');
    const got = await collector(env.client, topic);
    const producer = await env.client.createProducer({ topic, name: 'user-producer', dispatch: 'reliable' });
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('user work', async (span) => {
      await producer.send('one');
      // A message that already carries a creation context keeps it; no span is added for it.
      await producer.send('two', { attributes: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
      span.end();
    });
    await producer.close();
    await waitFor(() => got.got.length === 2, 10_000, 'two messages');
    await got.close();
    const send = tracing.span(`send ${topic}`);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(send)).toBe(tracing.span('user work').spanContext().spanId);
    expect(got.got[0]!.attributes.traceparent).toBe(traceparentOf(send));
    expect(got.got[1]!.attributes.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  });
});
