// The web console in a real browser (Debian's headless Chromium through playwright-core, no
// browser download), against `npm start` on a fresh copy of the project: the page shows the
// example pipeline with counters that move, the deliberately broken order among the dead letters,
// and a redrive from the page reaches the sink once the sink is fixed. Screenshots go to
// test-artifacts/console/.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyProject, ROOT } from '../../support/project-copy.js';

const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
let dir: string;

beforeAll(async () => {
  dir = await copyProject('danube-console-');
  await cp(join(import.meta.dirname, 'fixable-example-sink.ts'), join(dir, 'functions', 'example-sink.ts'));
  await mkdir(ARTIFACTS, { recursive: true });
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

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const cell = (page: Page, field: string) => page.locator(`tr[data-binding="exampleSink-orders"] td[data-field="${field}"]`).innerText();

it('shows the example pipeline live, its broken order among the dead letters, and redrives it to the fixed sink', async () => {
  const env = { ...process.env, DANUBE_SERVICE_URL: '', AWS_ENDPOINT_URL_DYNAMODB: '', npm_config_loglevel: 'silent' };
  const child = spawn('npm', ['start', '--', '--duration', '170', '--broker-port', '0', '--console-port', '0', '--status-interval', '5'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let closed = false;
  const exited = new Promise<void>((ok) => child.on('close', () => ok((closed = true) && undefined)));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {}
  };
  let browser: BrowserContext | undefined;
  const profile = await mkdtemp(join(tmpdir(), 'danube-chromium-'));
  const sinkFile = join(dir, '.danube', 'example-orders.jsonl');
  try {
    await waitFor('the console address', () => /console http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.test(stdout), 90_000).catch((err: Error) => {
      throw new Error(`${err.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    });
    const address = /console (http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/.exec(stdout)!;
    const [, base, token] = address as unknown as [string, string, string];

    // Without the token, the running console refuses an action.
    const refused = await fetch(`${base}/api/sources/exampleSource/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(401);

    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1400, height: 1000 },
    });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(String(err)));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(`${base}/#token=${token}`);
    // The token left the address bar and unlocked the actions.
    await expect.poll(() => page.url(), { timeout: 10_000 }).not.toContain(token);
    await page.locator('.access', { hasText: 'actions unlocked' }).waitFor({ timeout: 15_000 });

    // The example pipeline as a graph: source → topic → binding → function, and its dead-letter topic.
    for (const id of ['source:exampleSource', 'topic:/default/orders', 'binding:exampleSink-orders', 'function:exampleSink', 'dlq:/default/orders-dlq']) {
      await page.locator(`.graph [data-id="${id}"]`).waitFor({ timeout: 30_000 });
    }
    await expect.poll(() => cell(page, 'received'), { timeout: 60_000 }).toBe('10');
    // A mark in this document: gone if the page were reloaded.
    await page.evaluate(() => Object.assign(window, { consoleTestMark: true }));
    await page.screenshot({ path: join(ARTIFACTS, '1-pipeline.png'), fullPage: true });

    // Run the source from the page: the counters move without a reload.
    await page.getByRole('tab', { name: 'Sources' }).click();
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('tab', { name: 'Pipeline' }).click();
    await expect.poll(() => cell(page, 'received'), { timeout: 60_000 }).toBe('20');
    await expect.poll(() => cell(page, 'dead-lettered'), { timeout: 30_000 }).toBe('2');
    expect(await page.evaluate(() => (window as unknown as { consoleTestMark?: boolean }).consoleTestMark)).toBe(true);
    await page.getByRole('tab', { name: 'Sources' }).click();
    await page.locator('.source pre.json', { hasText: '"seq": 20' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS, '2-sources.png'), fullPage: true });

    // Peek at the orders topic.
    await page.getByRole('tab', { name: 'Topics' }).click();
    await page.getByRole('button', { name: 'Peek at /default/orders', exact: true }).click();
    await page.locator('.message-item', { hasText: 'order-20' }).first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS, '3-topics.png'), fullPage: true });

    // The broken orders among the dead letters, with envelope and payload.
    await page.getByRole('tab', { name: /Dead letters/ }).click();
    const broken = page.locator('tbody[data-id]', { hasText: 'invalid-record' });
    await expect.poll(() => broken.count(), { timeout: 30_000 }).toBe(2);
    await page
      .getByRole('button', { name: /^details of / })
      .first()
      .click();
    await page.locator('#panel-dead-letters pre.payload', { hasText: '"orderId":"order-10"' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, '4-dead-letters.png'), fullPage: true });

    // Fix the sink, then redrive order 10 from the page.
    await writeFile(`${sinkFile}.fixed`, '');
    const order10 = page.locator('tbody[data-id]', { hasText: 'order-10' });
    await order10.getByRole('checkbox').check();
    await page.getByRole('button', { name: /^Redrive selected \(1\)/ }).click();
    await page.locator('.job-done', { hasText: 'sent 1 of 1' }).waitFor({ timeout: 30_000 });
    await waitFor('the redriven order in the sink', async () => (await lines(sinkFile)).some((l) => l.repaired && String(l.raw).includes('order-10')), 30_000);
    await page.screenshot({ path: join(ARTIFACTS, '5-redriven.png'), fullPage: true });

    await page.getByRole('tab', { name: 'Charts' }).click();
    await page.locator('svg.chart polyline').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, '6-charts.png'), fullPage: true });

    // Keyboard only: the tabs follow Home, End and the arrow keys, and a graph node opens its view with Enter.
    const selected = () => page.locator('[role=tab][aria-selected=true]').innerText();
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-id') ?? document.activeElement?.textContent?.trim() ?? '');
    await page.getByRole('tab', { name: 'Charts' }).focus();
    await page.keyboard.press('Home');
    await expect.poll(selected).toBe('Pipeline');
    expect(await focused()).toBe('Pipeline');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(selected).toBe('Charts');
    await page.keyboard.press('Home');
    await page.locator('.graph [data-id="source:exampleSource"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(selected).toBe('Sources');
    await page.getByRole('button', { name: 'Run now' }).waitFor({ timeout: 10_000 });
    expect(problems).toEqual([]);
  } finally {
    await browser?.close().catch(() => undefined);
    // Stopped like Ctrl-C (SIGINT to the process group it leads); killed if it does not stop.
    if (!closed) signalGroup('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    if (!closed) signalGroup('SIGKILL');
    await rm(profile, { recursive: true, force: true });
  }
  expect(stdout).toContain('danube-connect dev: stopped');
}, 240_000);
