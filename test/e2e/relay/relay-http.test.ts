// The relay's HTTP invoker against a real HTTP server on 127.0.0.1 that verifies the
// x-danube-signature header the way a deployed sink does.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature, SIGNATURE_HEADER } from '../../../src/core/signing.js';
import { parseSinkBatchEvent, type SinkBatchEventV1 } from '../../../src/sink/event.js';
import { startRelay, type Relay } from '../../../src/relay/index.js';
import { binding, collector, createTopic, publish, startEnv, waitFor, type Env } from './helpers.js';

const SECRET = 'relay-test-secret-0123456789';
let env: Env;
let server: Server;
let url: string;
/** What the next request gets: set per test. */
let respond: (event: SinkBatchEventV1, n: number) => { status: number; body?: unknown; headers?: Record<string, string> };
const received: SinkBatchEventV1[] = [];
let badSignatures = 0;

beforeAll(async () => {
  env = await startEnv();
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const check = await verifySignature(SECRET, body, String(req.headers[SIGNATURE_HEADER] ?? ''));
    if (!check.ok) {
      badSignatures++;
      res.writeHead(401).end();
      return;
    }
    const event = parseSinkBatchEvent(body);
    received.push(event);
    const answer = respond(event, received.length);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sink`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await env.close();
});

const idsOf = (events: SinkBatchEventV1[]) => events.flatMap((e) => e.records.map((r) => JSON.parse(Buffer.from(r.payload, 'base64').toString()).i as number));

async function run(name: string, over: Record<string, unknown>, n: number, until: (r: Relay) => boolean): Promise<Relay> {
  const topic = createTopic(env, name);
  received.length = 0;
  const relay = await startRelay(
    {
      bindings: [binding({ name, topic, function: { type: 'http', url, secret: SECRET, timeoutMs: 2000 }, ...over })],
    },
    { client: env.client },
  );
  await publish(env.client, topic, n);
  await waitFor(() => until(relay), 10_000, name);
  await relay.close();
  return relay;
}

describe('relay over the HTTP invoker', () => {
  it('posts signed v1 batch events; an empty 200 acks the batch', async () => {
    respond = () => ({ status: 200 });
    await run('http-ok', {}, 12, (r) => r.status().bindings[0]!.counts.succeeded === 12);
    expect(badSignatures).toBe(0);
    expect(received[0]!).toMatchObject({ type: 'danube.sink.batch.v1', binding: 'http-ok', subscription: 'http-ok-sub' });
    expect(received[0]!.records[0]!).toMatchObject({ attempt: 1, producerName: expect.any(String), offset: expect.stringMatching(/^\d+$/) });
    expect(idsOf(received).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('retries only the records named in batchItemFailures', async () => {
    respond = (event) => ({
      status: 200,
      body: { batchItemFailures: event.records.filter((r) => r.attempt === 1 && Number(r.offset) % 2 === 0).map((r) => ({ itemIdentifier: r.id })) },
    });
    const relay = await run('http-partial', { ordering: 'none' }, 10, (r) => r.status().bindings[0]!.counts.succeeded === 10);
    expect(relay.status().bindings[0]!.counts.retried).toBe(5);
    expect(received.flatMap((e) => e.records).filter((r) => r.attempt === 2)).toHaveLength(5);
  });

  it('retries 5xx and 429 (honouring Retry-After) until the sink recovers', async () => {
    respond = (_, n) => (n === 1 ? { status: 503 } : n === 2 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 200 });
    const relay = await run('http-5xx', { maxRetryAttempts: 1 }, 3, (r) => r.status().bindings[0]!.counts.succeeded === 3);
    const metrics = await relay.metrics.render();
    expect(metrics).toContain('danube_relay_invocation_failures_total{binding="http-5xx",reason="server-error"} 1');
    expect(metrics).toContain('danube_relay_invocation_failures_total{binding="http-5xx",reason="throttled"} 1');
  });

  it('a 4xx fails the batch: after maxRetryAttempts it goes to the dead-letter topic', async () => {
    respond = () => ({ status: 400, body: { error: 'schema mismatch' } });
    const dlqTopic = createTopic(env, 'http-4xx-dlq');
    const dlq = await collector(env.client, dlqTopic);
    await run('http-4xx', { maxRetryAttempts: 1, deadLetterTopic: dlqTopic }, 2, (r) => r.status().bindings[0]!.counts.deadLettered === 2);
    await waitFor(() => dlq.got.length === 2);
    expect(dlq.got[0]!.attributes['x-dlq-error']).toMatch(/HTTP 400/);
    await dlq.close();
  });

  it('an answer naming an id outside the batch fails the whole batch', async () => {
    respond = (event) => (event.records[0]!.attempt === 1 ? { status: 200, body: { batchItemFailures: [{ itemIdentifier: 'nope' }] } } : { status: 200 });
    const relay = await run('http-bad', {}, 2, (r) => r.status().bindings[0]!.counts.succeeded === 2);
    expect(await relay.metrics.render()).toContain('reason="bad-response"');
  });

  it("applies the binding's transforms before sending (json-with-metadata)", async () => {
    respond = () => ({ status: 200 });
    await run('http-transform', { transform: ['json-with-metadata'] }, 2, (r) => r.status().bindings[0]!.counts.succeeded === 2);
    const body = JSON.parse(Buffer.from(received[0]!.records[0]!.payload, 'base64').toString()) as { i: number; _danube: { offset: string; topic: string } };
    expect(body.i).toBe(0);
    expect(body._danube.offset).toMatch(/^\d+$/);
  });

  it('a sink slower than function.timeoutMs is a timeout, retried', async () => {
    let slow = true;
    respond = () => ({ status: 200 });
    const slowServer = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (slow) {
          slow = false;
          setTimeout(() => res.writeHead(200).end(), 800);
        } else res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => slowServer.listen(0, '127.0.0.1', r));
    const topic = createTopic(env, 'http-timeout');
    const relay = await startRelay(
      {
        bindings: [
          binding({
            name: 'http-timeout',
            topic,
            function: { type: 'http', url: `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}/`, secret: SECRET, timeoutMs: 200 },
          }),
        ],
      },
      { client: env.client },
    );
    await publish(env.client, topic, 1);
    await waitFor(() => relay.status().bindings[0]!.counts.succeeded === 1, 10_000);
    expect(await relay.metrics.render()).toContain('reason="timeout"');
    await relay.close();
    slowServer.closeAllConnections();
    await new Promise((r) => slowServer.close(r));
  });
});
