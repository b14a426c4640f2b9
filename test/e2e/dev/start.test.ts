// `npm start` on a fresh copy of the project, headless and bounded: the example source publishes
// orders to the embedded broker, the relay hands them to the example sink, which writes them to
// .danube/example-orders.jsonl; the broken order reaches the dead-letter topic. While it runs,
// `danube-connect invoke` triggers another source run; Ctrl-C (SIGINT) drains and stops it.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyProject } from '../../support/project-copy.js';

let dir: string;

beforeAll(async () => {
  dir = await copyProject('danube-start-');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function lines(file: string): Promise<Array<Record<string, any>>> {
  if (!existsSync(file)) return [];
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('runs the example pipeline: orders reach the sink file, the broken one the dead-letter topic', async () => {
  const env = { ...process.env, DANUBE_SERVICE_URL: '', AWS_ENDPOINT_URL_DYNAMODB: '', npm_config_loglevel: 'silent' };
  // Headless (stdout is a pipe): the status comes as log lines. It is stopped like Ctrl-C in a
  // terminal (SIGINT to its process group); --duration only bounds it if that failed.
  const child = spawn('npm', ['start', '--', '--duration', '80', '--broker-port', '0', '--status-interval', '1'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // 'close': every process holding the pipes (npm and the node process under it) has finished.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.on('close', (code, signal) => ok({ code, signal })));
  const sinkFile = join(dir, '.danube', 'example-orders.jsonl');
  const dlqFile = join(dir, '.danube', 'dead-letters.jsonl');
  try {
    // The source runs once at start: orders 1-10, order 10 broken.
    // Generous: on a busy two-core machine starting tsx, the broker and the functions takes a while.
    await waitFor(
      'the first run to reach the sink and the dead-letter topic',
      async () => (await lines(sinkFile)).length >= 9 && (await lines(dlqFile)).length >= 1,
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    });

    // Run the source again now, from another terminal.
    const invoked = await new Promise<string>((ok, fail) =>
      execFile(process.execPath, [join(dir, 'bin', 'danube-connect.mjs'), 'invoke', 'example-orders'], { cwd: dir, timeout: 20_000 }, (err, out, errOut) =>
        err ? fail(new Error(`${err.message}\n${errOut}`)) : ok(out),
      ),
    );
    const view = JSON.parse(invoked);
    expect(view).toMatchObject({ function: 'exampleSource', source: 'example-orders', records: 20, lastRecords: 10, checkpoint: { seq: 20 } });
    await waitFor('the second run to arrive', async () => (await lines(sinkFile)).length >= 18 && (await lines(dlqFile)).length >= 2, 30_000);
    await new Promise((r) => setTimeout(r, 1_200)); // one more status line with everything settled
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
  }
  // npm itself ends by the signal, as it does on Ctrl-C in a terminal; the pipeline under it
  // drains and says so (below).
  const { code, signal } = await exited;
  expect(code === 0 || signal === 'SIGINT' || code === 130, `${code} ${signal} ${stderr}`).toBe(true);
  expect(stderr).not.toMatch(/danube-connect dev: .*(Error|error)/);

  const orders = await lines(sinkFile);
  const ids = orders.map((o) => o.order.orderId as string);
  // At least once: every good order arrived; none of the broken ones.
  for (let seq = 1; seq <= 20; seq++) if (seq % 10 !== 0) expect(ids).toContain(`order-${seq}`);
  expect(ids).not.toContain('order-10');
  expect(orders[0]).toMatchObject({ customer: expect.stringMatching(/^customer-\d+$/), order: { currency: 'EUR' } });

  const dead = await lines(dlqFile);
  expect(dead.map((d) => d.attributes['order-id']).sort()).toEqual(['order-10', 'order-20']);
  expect(dead[0]!.attributes).toMatchObject({
    'x-original-topic': '/default/orders',
    'x-dlq-origin': 'relay:exampleSink-orders',
    'x-dlq-reason': 'invalid-record',
  });
  expect(dead[0]!.payload).toContain('"orderId":"order-10"');

  // The headless status lines, then a clean stop after draining.
  expect(stdout).toMatch(/\[dev\] source exampleSource \(example-orders\): runs=2 records=20/);
  expect(stdout).toMatch(/\[dev\] binding exampleSink-orders: state=\w+ received=20 acked=20 in-flight=0 retries=\d+ dead-lettered=2 lag=0/);
  expect(stdout).toContain('stopping (SIGINT): draining the relay');
  expect(stdout).toContain('danube-connect dev: stopped');
}, 120_000);
