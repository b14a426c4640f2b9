// `npm run bench [filter] [--quick]`: runs every bench/*.bench.ts module, writes
// bench/results/latest.json and prints a table. Figures are ratios measured side
// by side in this one run, never absolute numbers compared across machines.
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench, BenchRow } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filter = args.find((a) => !a.startsWith('--'));

const modules = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !filter || f.includes(filter))
  .sort();

const rows: BenchRow[] = [];
for (const file of modules) {
  process.stderr.write(`bench: ${file} ...\n`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: Bench };
  try {
    rows.push(...(await mod.default({ quick })));
  } catch (err) {
    process.stderr.write(`bench: ${file} failed: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  }
}

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'latest.json'),
  `${JSON.stringify(
    rows.map(({ name, unit, baseline, value, ratio, target, note }) => ({ name, unit, baseline, value, ratio, target, note })),
    null,
    2,
  )}\n`,
);

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));
const table = [
  '| name | unit | baseline | value | ratio | target | ok |',
  '|---|---|---:|---:|---:|---:|---|',
  ...rows.map(
    (r) => `| ${r.name} | ${r.unit} | ${fmt(r.baseline)} | ${fmt(r.value)} | ${r.ratio.toFixed(2)} | ${r.target} | ${r.ratio >= r.target ? 'yes' : 'NO'} |`,
  ),
].join('\n');
// Rows that carry how they were measured (rounds, spread) list it under the table.
const notes = rows.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`);
const report = notes.length ? `${table}\n\n${notes.join('\n')}` : table;
writeFileSync(join(here, 'results', 'latest.md'), `${report}\n`);
process.stdout.write(`${report}\n`);
process.exit(process.exitCode ?? 0);
