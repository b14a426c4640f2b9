#!/usr/bin/env node
// Fails when src/generated/ is not what `npm run gen` makes from proto/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'danube-gen-'));

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

try {
  execFileSync(join(root, 'node_modules/.bin/buf'), ['generate', '-o', out], {
    cwd: root,
    stdio: 'pipe',
    env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}` },
  });
  const fresh = join(out, 'src/generated');
  const committed = join(root, 'src/generated');
  const a = files(fresh)
    .map((f) => relative(fresh, f))
    .sort();
  const b = files(committed)
    .map((f) => relative(committed, f))
    .sort();
  const stale = [];
  for (const f of new Set([...a, ...b])) {
    const x = a.includes(f) ? readFileSync(join(fresh, f), 'utf8') : null;
    const y = b.includes(f) ? readFileSync(join(committed, f), 'utf8') : null;
    if (x !== y) stale.push(f);
  }
  if (stale.length > 0) {
    process.stderr.write(`src/generated is stale (run \`npm run gen\`): ${stale.join(', ')}\n`);
    process.exit(1);
  }
  process.stdout.write('src/generated is up to date\n');
} finally {
  rmSync(out, { recursive: true, force: true });
}
