// The dependency direction of design.md: the broker and the client never import each other,
// and the admin client, like the client, imports only core and generated code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Top-level src folders that the files of `folder` import. */
function importedFolders(folder: string): Set<string> {
  const out = new Set<string>();
  for (const f of files(join(src, folder))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = relative(src, resolve(dirname(f), m[1]!)).split('/')[0]!;
      if (target !== folder) out.add(target);
    }
  }
  return out;
}

describe('layering', () => {
  it.each(['client', 'broker', 'admin'])('src/%s imports only core and generated', (folder) => {
    expect([...importedFolders(folder)].filter((t) => t !== 'core' && t !== 'generated')).toEqual([]);
  });
});
