#!/usr/bin/env node
// Fails when the modules of src/ import each other in a circle, type-only imports included: a
// circle means two files that cannot be understood (or loaded) one without the other. Prints each
// circle it finds as the chain of files.
//
//   node scripts/check-cycles.mjs
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const IMPORT = /^\s*(?:import|export)\s[^;]*?\sfrom\s+['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]/gm;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : files(path);
    return /\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `./x.js` written in a TypeScript file names `./x.ts`. */
function target(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    base.replace(/\.cjs$/, '.cts'),
    `${base}.ts`,
    join(base, 'index.ts'),
  ]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const graph = new Map();
for (const file of files(src)) {
  const text = readFileSync(file, 'utf8');
  const edges = new Set();
  for (const m of text.matchAll(IMPORT)) {
    const to = target(file, m[1] ?? m[2]);
    if (to && to.startsWith(src)) edges.add(to);
  }
  graph.set(file, edges);
}

// Tarjan's strongly connected components: every component of more than one file is a circle.
let index = 0;
const stack = [];
const state = new Map();
const circles = [];
function visit(v) {
  state.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!state.has(w)) {
      visit(w);
      state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
    } else if (state.get(w).onStack) state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
  }
  if (state.get(v).low === state.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.has(v)) circles.push(component);
  }
}
for (const v of graph.keys()) if (!state.has(v)) visit(v);

if (circles.length === 0) {
  process.stdout.write(`no import circles in src/ (${graph.size} files)\n`);
} else {
  for (const c of circles)
    process.stdout.write(
      `import circle: ${c
        .map((f) => relative(root, f))
        .sort()
        .join(' <-> ')}\n`,
    );
  process.exit(1);
}
