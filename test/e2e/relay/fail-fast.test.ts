// Configuration that cannot work fails fast: `danube-connect relay --check` imports every local
// sink module and checks its export; a relay started anyway answers /readyz 503 naming the
// binding and `sink-unavailable`, and does not take that binding's records; a wrong token is
// `unauthenticated` on /readyz, logged once with the fix, and not retried at full speed.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signBrokerToken, startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { pino } from 'pino';
import { silentLogger } from '../../../src/core/logger.js';
import { startRelay, type RelayReadiness } from '../../../src/relay/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'bin', 'danube-connect.mjs');
let dir: string;
let broker: Broker;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'danube-fail-fast-'));
  writeFileSync(join(dir, 'good-sink.mjs'), 'export const sink = async () => {};\n');
  writeFileSync(join(dir, 'no-sink.mjs'), 'export const other = 1;\n');
  writeFileSync(
    join(dir, 'relay.json'),
    JSON.stringify({
      bindings: [
        {
          name: 'good',
          topic: '/default/ff-good',
          subscription: 'good',
          function: { type: 'local', module: './good-sink.mjs' },
          deadLetterTopic: '/default/ff-dlq',
        },
        {
          name: 'missing',
          topic: '/default/ff-missing',
          subscription: 'missing',
          function: { type: 'local', module: './missing-sink.mjs' },
          deadLetterTopic: '/default/ff-dlq',
        },
        {
          name: 'no-export',
          topic: '/default/ff-noexp',
          subscription: 'noexp',
          function: { type: 'local', module: './no-sink.mjs' },
          deadLetterTopic: '/default/ff-dlq',
        },
      ],
    }),
  );
  broker = await startBroker({ port: 0, logger: silentLogger });
  for (const t of ['/default/ff-good', '/default/ff-missing', '/default/ff-noexp']) broker.admin.createTopic(t, { dispatch: 'reliable' });
});
afterAll(async () => {
  await broker?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('relay --check fails naming each binding whose sink module cannot be used', async () => {
  const run = await new Promise<{ code: number; stdout: string }>((ok) =>
    execFile(process.execPath, [CLI, 'relay', '--config', join(dir, 'relay.json'), '--check'], { timeout: 30_000 }, (err, stdout) =>
      ok({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
    ),
  );
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/error: binding "missing": cannot import sink module \.\/missing-sink\.mjs/);
  expect(run.stdout).toMatch(/error: binding "no-export": module \.\/no-sink\.mjs has no export "sink"/);
  expect(run.stdout).not.toMatch(/binding "good"/);
  expect(run.stdout).toContain('2 binding(s) cannot deliver');
});

it('a relay started anyway answers /readyz 503 with sink-unavailable and does not subscribe those bindings', async () => {
  const child = spawn(process.execPath, [CLI, 'relay', '--config', join(dir, 'relay.json'), '--port', '0', '--service-url', broker.url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no start line: ${stdout} ${stderr}`)), 20_000);
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          ok(m[1]!);
        }
      });
    });
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as RelayReadiness;
    expect(body.notReady.map((n) => n.binding).sort()).toEqual(['missing', 'no-export']);
    const missing = body.notReady.find((n) => n.binding === 'missing')!;
    expect(missing.reasons).toEqual(['sink-unavailable']);
    expect(missing.lastError).toMatch(/cannot import sink module \.\/missing-sink\.mjs/);
    const status = (await (await fetch(`${url}/status`)).json()) as { bindings: Array<{ name: string; state: string; subscribed: boolean }> };
    expect(status.bindings.find((b) => b.name === 'missing')).toMatchObject({ state: 'unavailable', subscribed: false });
    expect(status.bindings.find((b) => b.name === 'good')).toMatchObject({ state: 'running' });
    // Logged once, with what to do.
    expect(stdout.match(/the function cannot be invoked: the binding does not start/g)).toHaveLength(2);
  } finally {
    child.kill('SIGKILL');
  }
}, 40_000);

it('a wrong token is unauthenticated on /readyz, logged once with the fix, and retried slowly', async () => {
  const secured = await startBroker({ port: 0, logger: silentLogger, auth: { jwtSecret: 'right-secret', superAdmins: ['admin'] } });
  const lines: string[] = [];
  const logger = pino({ level: 'error' }, { write: (l: string) => lines.push(l) });
  const client = new DanubeClient({ serviceUrl: secured.url, token: signBrokerToken('wrong-secret', { sub: 'admin' }), logger: silentLogger });
  const relay = await startRelay(
    {
      serviceUrl: secured.url,
      port: 0,
      bindings: [
        {
          name: 'orders',
          topic: '/default/ff-auth',
          subscription: 'orders',
          function: { type: 'local', module: './unused.mjs' },
          deadLetterTopic: '/default/ff-auth-dlq',
        },
      ],
    },
    { client, logger, sinks: { orders: async () => {} } },
  );
  try {
    await new Promise((r) => setTimeout(r, 3_000));
    const res = await fetch(`${relay.url}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as RelayReadiness;
    expect(body.notReady[0]).toMatchObject({ binding: 'orders', reasons: ['unauthenticated'] });
    expect(body.notReady[0]!.lastError).toMatch(/refused the relay's token.*danube-connect token --secret/);
    const refused = lines.filter((l) => l.includes("refused the relay's token"));
    expect(refused).toHaveLength(1);
    // Slowly: the first retry waits seconds, not a fraction of one.
    expect(relay.status().bindings[0]!.errorCount ?? 0).toBeLessThanOrEqual(2);
    expect(relay.status().bindings[0]!.state).toBe('unavailable');
  } finally {
    await relay.close();
    await client.close();
    await secured.close();
  }
}, 30_000);
