#!/usr/bin/env node
// Fails when a source file outside generated code passes 400 lines: past that, a file holds more
// than one concept and should be split along it.
//
//   node scripts/check-file-sizes.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const LIMIT = 400;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' || name === 'node_modules' ? [] : files(path);
    return /\.(ts|mts|cts|mjs|js)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const over = ['src', 'functions', 'bench', 'scripts', 'bin']
  .flatMap((d) => files(join(root, d)))
  .map((f) => ({ file: relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
  .filter((f) => f.lines > LIMIT);
if (over.length === 0) process.stdout.write(`no source file over ${LIMIT} lines\n`);
else {
  for (const f of over) process.stdout.write(`${f.file}: ${f.lines} lines (limit ${LIMIT})\n`);
  process.exit(1);
}
