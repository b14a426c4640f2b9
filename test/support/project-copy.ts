// A copy of this project in a temporary directory, for tests that run `npm start` as a user
// would on a fresh checkout without touching the working tree.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

const ENTRIES = ['serverless.yml', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'scripts', 'src', 'dist', 'functions', 'infra', 'proto'];

/** Copies the project (with this checkout's node_modules linked) and returns the directory. */
export async function copyProject(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const entry of ENTRIES) {
    // Timestamps kept: the copied dist/ is as current as the sources, so `npm start` does not rebuild.
    if (existsSync(join(ROOT, entry))) await cp(join(ROOT, entry), join(dir, entry), { recursive: true, preserveTimestamps: true });
  }
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}
