// The package as users start it, side by side with a bare `node -e ''` in this run:
// - the wall time of a Node process that imports `./sink` and `./lambda` (what a sink function's
//   cold start pays for the package): target ≤ 2× the bare start;
// - `danube-connect --help` (the CLI's start-up), reported;
// - the minified size of each sink function bundle, built as the Serverless plugin builds it:
//   target ≤ 1 MiB; and the relay's prebuilt Lambda bundle, reported.
// The processes alternate (bare, measured, bare, ...) so that drift of the machine hits both.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DANUBE_ESBUILD_DEFAULTS } from '../src/serverless/esbuild-defaults.js';
import { row, type Bench, type BenchRow } from './types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MIB = 1024 * 1024;

function wallMs(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    stdio: 'ignore',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Medians of `rounds` alternating runs of a bare start and `args`. */
function pairedStart(args: string[], rounds: number): { bare: number; measured: number } {
  const bare: number[] = [];
  const measured: number[] = [];
  wallMs(['-e', '']);
  wallMs(args);
  for (let i = 0; i < rounds; i++) {
    bare.push(wallMs(['-e', '']));
    measured.push(wallMs(args));
  }
  return { bare: median(bare), measured: median(measured) };
}

/** The minified size of a function bundle with the settings the Serverless plugin gives esbuild. */
async function bundleSize(entry: string): Promise<number> {
  const d = DANUBE_ESBUILD_DEFAULTS;
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: d.bundle,
    minify: d.minify,
    keepNames: d.keepNames,
    platform: 'node',
    format: 'esm',
    banner: d.banner,
    external: [...d.exclude],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents.byteLength;
}

const bench: Bench = async ({ quick }) => {
  const rounds = quick ? 7 : 21;
  const rows: BenchRow[] = [];
  const importScript = "await import('danube-connect-serverless/sink'); await import('danube-connect-serverless/lambda');";
  const sinkPath = pairedStart(['--input-type=module', '-e', importScript], rounds);
  rows.push(
    row({
      name: 'package: import ./sink + ./lambda vs bare node start',
      unit: 'ms',
      baseline: sinkPath.bare,
      value: sinkPath.measured,
      target: 0.5,
      lowerIsBetter: true,
      note: 'target: ≤ 2× a bare start',
    }),
  );
  const help = pairedStart([join(ROOT, 'bin', 'danube-connect.mjs'), '--help'], rounds);
  rows.push(
    row({
      name: 'package: danube-connect --help vs bare node start',
      unit: 'ms',
      baseline: help.bare,
      value: help.measured,
      target: 0,
      lowerIsBetter: true,
      note: 'reported',
    }),
  );

  for (const fn of ['example-sink', 'http-sink', 'dynamodb-sink', 'postgres-sink', 'bridge']) {
    const size = await bundleSize(join('functions', `${fn}.ts`));
    rows.push(row({ name: `package: ${fn} bundle (minified) vs 1 MiB`, unit: 'bytes', baseline: MIB, value: size, target: 1, lowerIsBetter: true }));
  }
  // The functions the serverless plugin adds, each its own Lambda: sized one by one.
  for (const [fn, what] of [
    ['danube-relay', 'relay'],
    ['danube-provision', 'provisioning'],
  ] as const) {
    rows.push(
      row({
        name: `package: ${what} Lambda bundle (prebuilt) vs 1 MiB`,
        unit: 'bytes',
        baseline: MIB,
        value: statSync(join(ROOT, 'dist', 'lambda', `${fn}.mjs`)).size,
        target: 0,
        lowerIsBetter: true,
        note: 'reported',
      }),
    );
  }
  return rows;
};

export default bench;
