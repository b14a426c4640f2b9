// The Lambda invoker's classification of throttling, function errors, timeouts and bad answers.
// serverless-offline (relay-lambda.test.ts) cannot throttle or answer malformed payloads on
// demand, so these cases use a small real HTTP server on 127.0.0.1 speaking the Lambda Invoke
// REST API (POST /2015-03-31/functions/{name}/invocations, X-Amz-Function-Error) to the real SDK.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { SinkRecord } from '../../../src/core/records.js';
import { createLambdaInvoker, InvokeError, type InvokeBatch } from '../../../src/relay/index.js';

type Reply = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number };
let reply: (path: string, body: string) => Reply;
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = reply(req.url ?? '', Buffer.concat(chunks).toString('utf8'));
      setTimeout(() => {
        res.writeHead(r.status, { 'content-type': 'application/json', ...(r.headers ?? {}) });
        res.end(r.body ?? '');
      }, r.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const record = (offset: number) =>
  new SinkRecord({ topic: '/default/t', offset: BigInt(offset), publishTime: 1, producerName: 'p', attributes: {}, payload: new TextEncoder().encode('{}') });
const batch = (): InvokeBatch => ({
  meta: { binding: 'b', topic: '/default/t', subscription: 's' },
  records: [record(1), record(2)],
  signal: new AbortController().signal,
  deadline: Date.now() + 10_000,
  logger: silentLogger,
});
const invoker = (timeoutMs = 2000) => createLambdaInvoker({ name: 'orders-sink', endpoint, region: 'us-east-1', timeoutMs });

async function failure(p: Promise<unknown>): Promise<InvokeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvokeError);
  return err as InvokeError;
}

describe('Lambda invoker', () => {
  it('sends the v1 event to the function and reads its partial-batch answer', async () => {
    let seen: { path: string; event: { type: string; records: { id: string }[] } } | undefined;
    reply = (path, body) => {
      seen = { path, event: JSON.parse(body) };
      return { status: 200, body: JSON.stringify({ batchItemFailures: [{ itemIdentifier: '/default/t@2' }] }) };
    };
    const result = await invoker().invoke(batch());
    expect(seen!.path).toBe('/2015-03-31/functions/orders-sink/invocations');
    expect(seen!.event.type).toBe('danube.sink.batch.v1');
    expect(seen!.event.records.map((r) => r.id)).toEqual(['/default/t@1', '/default/t@2']);
    expect(result.failures.map((f) => f.itemIdentifier)).toEqual(['/default/t@2']);
  });

  it('classifies a function error (X-Amz-Function-Error)', async () => {
    reply = () => ({ status: 200, headers: { 'x-amz-function-error': 'Unhandled' }, body: JSON.stringify({ errorType: 'Error', errorMessage: 'db down' }) });
    const err = await failure(invoker().invoke(batch()));
    expect([err.reason, err.kind]).toEqual(['function-error', 'retryable']);
    expect(err.message).toMatch(/db down/);
  });

  it('classifies throttling', async () => {
    reply = () => ({
      status: 429,
      headers: { 'x-amzn-errortype': 'TooManyRequestsException' },
      body: JSON.stringify({ Type: 'User', message: 'Rate exceeded', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }),
    });
    expect((await failure(invoker().invoke(batch()))).reason).toBe('throttled');
  });

  it('classifies a missing function as configuration, fatal', async () => {
    reply = () => ({
      status: 404,
      headers: { 'x-amzn-errortype': 'ResourceNotFoundException' },
      body: JSON.stringify({ Type: 'User', message: 'Function not found' }),
    });
    const err = await failure(invoker().invoke(batch()));
    expect([err.reason, err.kind]).toEqual(['config', 'fatal']);
  });

  it('classifies a late answer as a timeout', async () => {
    reply = () => ({ status: 200, delayMs: 600 });
    expect((await failure(invoker(150).invoke(batch()))).reason).toBe('timeout');
  });

  it('fails the batch on an answer naming an id outside it, or that is not JSON', async () => {
    reply = () => ({ status: 200, body: JSON.stringify({ batchItemFailures: [{ itemIdentifier: 'other' }] }) });
    expect((await failure(invoker().invoke(batch()))).reason).toBe('bad-response');
    reply = () => ({ status: 200, body: 'oops' });
    expect((await failure(invoker().invoke(batch()))).reason).toBe('bad-response');
  });
});
