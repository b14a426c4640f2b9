// The relay's Lambda invoker (@aws-sdk/client-lambda, RequestResponse) against serverless-offline's
// Lambda Invoke API on 127.0.0.1, serving the plain-JS handler in fixtures/offline.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay } from '../../../src/relay/index.js';
import { binding, collector, createTopic, publish, startEnv, waitFor, type Env } from './helpers.js';

let env: Env;
let offline: ChildProcess;
let endpoint: string;
let dir: string | undefined;

/** A port the OS just handed out: serverless-offline cannot listen on port 0 and report it. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  env = await startEnv();
  dir = mkdtempSync(join(tmpdir(), 'relay-offline-'));
  cpSync(resolve('test/e2e/relay/fixtures/offline'), dir, { recursive: true });
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  const [lambdaPort, httpPort, wsPort] = [await freePort(), await freePort(), await freePort()];
  offline = spawn(
    process.execPath,
    [
      resolve('node_modules/osls/bin/serverless.js'),
      'offline',
      'start',
      '--host',
      '127.0.0.1',
      '--lambdaPort',
      String(lambdaPort),
      '--httpPort',
      String(httpPort),
      '--websocketPort',
      String(wsPort),
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  offline.stdout!.on('data', (d) => (log += d));
  offline.stderr!.on('data', (d) => (log += d));
  await waitFor(() => /\[http for lambda\] listening/.test(log) || offline.exitCode !== null, 45_000, 'serverless-offline');
  if (offline.exitCode !== null) throw new Error(`serverless-offline exited: ${log}`);
  endpoint = `http://127.0.0.1:${lambdaPort}`;
}, 60_000);

afterAll(async () => {
  if (offline && offline.exitCode === null) {
    const exited = new Promise((r) => offline.once('exit', r));
    offline.kill('SIGINT');
    const timer = setTimeout(() => offline.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  await env?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const lambda = () => ({ type: 'lambda' as const, name: 'relay-offline-dev-sink', endpoint, region: 'us-east-1', timeoutMs: 10_000 });

describe('relay over the Lambda invoker (serverless-offline)', () => {
  it('invokes the function per batch and retries only the records it reports failed', async () => {
    const topic = createTopic(env, 'lambda');
    const relay = await startRelay({ bindings: [binding({ name: 'lambda', topic, ordering: 'none', function: lambda() })] }, { client: env.client });
    await publish(env.client, topic, 10, { body: (i) => JSON.stringify({ i, fail: i % 5 === 0 }) });
    await waitFor(() => relay.status().bindings[0]!.counts.succeeded === 10, 20_000, 'all acked');
    const s = relay.status().bindings[0]!;
    await relay.close();
    expect(s.counts.retried).toBe(2);
    expect(s.counts.deadLettered).toBe(0);
  });

  it('treats a function error (X-Amz-Function-Error) as a failed batch, then dead-letters it', async () => {
    const topic = createTopic(env, 'lambda-crash');
    const dlqTopic = createTopic(env, 'lambda-crash-dlq');
    const dlq = await collector(env.client, dlqTopic);
    const relay = await startRelay(
      {
        bindings: [binding({ name: 'lambda-crash', topic, function: lambda(), maxRetryAttempts: 1, deadLetterTopic: dlqTopic })],
      },
      { client: env.client },
    );
    await publish(env.client, topic, 1, { body: (i) => JSON.stringify({ i, crash: true }) });
    await waitFor(() => dlq.got.length === 1, 20_000, 'dead letter');
    expect(dlq.got[0]!.attributes['x-dlq-reason']).toBe('retries-exhausted');
    expect(dlq.got[0]!.attributes['x-dlq-error']).toMatch(/crash requested/);
    expect(await relay.metrics.render()).toContain('danube_relay_invocation_failures_total{binding="lambda-crash",reason="function-error"} 2');
    await relay.close();
    await dlq.close();
  });

  it('classifies an unknown function as a configuration failure', async () => {
    const topic = createTopic(env, 'lambda-missing');
    const relay = await startRelay(
      {
        bindings: [binding({ name: 'lambda-missing', topic, function: { ...lambda(), name: 'no-such-function' }, maxRetryAttempts: -1 })],
      },
      { client: env.client },
    );
    await publish(env.client, topic, 1);
    const failures = /danube_relay_invocation_failures_total\{binding="lambda-missing",reason="([a-z-]+)"\} \d+/;
    await waitFor(async () => failures.test(await relay.metrics.render()), 20_000, 'a failed invocation');
    const reason = failures.exec(await relay.metrics.render())![1];
    const s = relay.status().bindings[0]!;
    await relay.close();
    expect(reason).toBe('config');
    expect(s.lastError).toMatch(/function unreachable/);
    expect(s.counts.deadLettered).toBe(0);
  });
});
