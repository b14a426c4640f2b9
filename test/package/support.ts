// Helpers for the tests of the package as users get it: pack it the way `npm publish` would,
// install the tarball into a fresh project, run commands there.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
/** Tools the fresh project uses without installing them: they come from this checkout. */
export const TOOLS = {
  root: ROOT,
  tsc: join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
  osls: join(ROOT, 'node_modules', '.bin', 'osls'),
};

export interface Run {
  code: number;
  output: string;
}

/** Runs a command to its end (bounded by `timeoutMs`), collecting stdout and stderr together. */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 180_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/**
 * `npm pack` of a copy of this checkout (so `prepack` builds dist/ from a clean slate without
 * touching the working tree): returns the tarball's path.
 */
export async function packTarball(into: string): Promise<string> {
  const copy = join(into, 'source');
  await mkdir(copy);
  for (const entry of [
    'package.json',
    'package-lock.json',
    '.npmrc',
    'tsconfig.json',
    'tsconfig.build.json',
    'LICENSE',
    'README.md',
    'bin',
    'docs',
    'infra',
    'proto',
    'scripts',
    'src',
  ]) {
    await cp(join(ROOT, entry), join(copy, entry), { recursive: true });
  }
  await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const packed = await run('npm', ['pack', '--pack-destination', into, '--loglevel', 'error'], { cwd: copy });
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.output}`);
  const tarball = (await readdir(into)).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball:\n${packed.output}`);
  return join(into, tarball);
}

/** A fresh ESM project with only the tarball installed (and what it depends on). */
export async function freshApp(into: string, tarball: string): Promise<string> {
  const app = join(into, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), `${JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }, null, 2)}\n`);
  const installed = await run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'error'], {
    cwd: app,
    timeoutMs: 240_000,
  });
  if (installed.code !== 0) throw new Error(`npm install of the tarball failed:\n${installed.output}`);
  return app;
}

/** A scratch folder for one test run. */
export function scratch(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** `danube-connect broker` started from the fresh project; resolves with its URL. */
export async function startCliBroker(app: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(app, 'node_modules', '.bin', 'danube-connect'), 'broker', '--port', '0'], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`broker did not start:\n${text}`)), 30_000);
    const onData = (d: Buffer) => {
      text += d;
      const m = /danube broker listening on (\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => fail(new Error(`broker exited (${code}):\n${text}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}
