// The `npm start` status view as a person sees it: the pipeline runs in a pseudo-terminal (a
// private tmux server), its sink throws, and the screen shows that error under the binding, the
// key hints, each disabled connector once, and the dead-letter counts beside the broker's total.
// 'q' stops it.
import { execFileSync, spawnSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyProject } from '../../support/project-copy.js';

const SOCKET = `danube-status-${process.pid}`;
let dir: string;

const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', timeout: 10_000 });
const screen = () => tmux('capture-pane', '-p', '-t', 'dev').stdout ?? '';

beforeAll(async () => {
  dir = await copyProject('danube-status-');
  // The example sink, broken the way a real one breaks: every batch throws.
  await writeFile(
    join(dir, 'functions', 'example-sink.ts'),
    [
      "import { defineSink } from 'danube-connect-serverless';",
      "import { lambdaSink } from 'danube-connect-serverless/lambda';",
      'export const sink = defineSink(async () => {',
      "  throw new Error('the warehouse API answered 503');",
      '});',
      'export const handler = lambdaSink(sink);',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'run.sh'),
    // Embedded parts only, whatever the environment of the test says.
    `#!/bin/sh\ncd "${dir}"\nexec env -u DANUBE_SERVICE_URL -u AWS_ENDPOINT_URL_DYNAMODB -u DANUBE_TOKEN "${process.execPath}" bin/danube-connect.mjs dev --broker-port 0 --duration 90\n`,
    { mode: 0o755 },
  );
});

afterAll(async () => {
  tmux('kill-server');
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function waitForScreen(what: string, check: (text: string) => boolean, timeoutMs: number): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (check(text)) return text;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the screen:\n${text}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

it("shows a failing sink's error on screen, the keys, and each disabled connector once", async () => {
  execFileSync('tmux', ['-L', SOCKET, 'new-session', '-d', '-s', 'dev', '-x', '180', '-y', '60', join(dir, 'run.sh')], { timeout: 10_000 });
  try {
    const text = await waitForScreen('the sink error under its binding', (t) => /↳ last error .*the warehouse API answered 503/.test(t), 60_000);
    expect(text).toContain('keys: 1-9 run that source now · a run all sources · q quit');
    expect(text).toMatch(/SOURCES \(counts since start\)/);
    expect(text).toMatch(/BINDINGS \(received … retries: since start; lag: what the broker holds\)/);
    expect(text).toMatch(/exampleSink-orders +running/);
    expect(text).toMatch(/↳ last error \d+s ago \(×\d+\) batch failed: .*the warehouse API answered 503/);
    // A binding whose only source is disabled here is not "running".
    expect(text).toMatch(/dynamodbSink-pg-rows +idle/);
    expect(text).toContain('only disabled sources publish to /default/pg-rows (postgresPoll)');
    // Each disabled connector once, in the view only.
    expect(text.match(/postgresCdc: PG_URL is not set/g)).toHaveLength(1);
    expect(text).not.toContain('is disabled here');
    expect(text).toMatch(/DEAD-LETTER TOPICS \(since start; on topic: not yet redriven, from the broker\)/);
    expect(text).toContain('inspect and redrive: npx danube-connect dlq');

    // 'q' stops it: the pipeline drains and the session ends.
    tmux('send-keys', '-t', 'dev', 'q');
    const end = Date.now() + 30_000;
    while (tmux('has-session', '-t', 'dev').status === 0) {
      if (Date.now() > end) throw new Error(`still running 30 s after q; the screen:\n${screen()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    tmux('kill-server');
  }
}, 120_000);
