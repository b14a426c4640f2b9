import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throw-away PostgreSQL server for tests: a fresh cluster in a temp dir, listening on
 * 127.0.0.1 on an ephemeral port, stopped and deleted by `close()`.
 *
 * @example
 * const server = await startPostgres();
 * const client = new pg.Client(server.connectionString);
 * ...
 * await server.close();
 */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  connectionString: string;
  host: string;
  port: number;
  /** The cluster's data directory (inside a temp dir removed by `close()`). */
  dataDir: string;
  /** Stops the server (fast shutdown) and deletes its files; safe to call twice. */
  close(): Promise<void>;
}

export interface StartPostgresOptions {
  /** `wal_level=logical` with replication slots and WAL senders (default true). */
  logical?: boolean;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string | number>;
  /** How long to wait for the server to accept connections (default 30 s). */
  startTimeoutMs?: number;
}

/** Directory of the newest installed PostgreSQL server binaries (Debian layout), or `PG_BIN`. */
export function findPostgresBin(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql-15)');
  }
  return join(root, versions[0]!, 'bin');
}

// initdb and postgres refuse to run as root: drop to the `postgres` OS user when we are root.
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root but no `postgres` OS user exists');
  return { uid, gid };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test process that dies without close() must not leave its server behind.
  process.once('exit', () => {
    for (const [child, dir] of live) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Starts a PostgreSQL server for one test file. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'pg-test-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const dataDir = join(dir, 'data');
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};

  const init = spawnSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    ...asUser,
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, HOME: dir },
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
  }

  const logical = options.logical ?? true;
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    shared_buffers: '32MB',
    max_connections: 40,
    wal_level: logical ? 'logical' : 'replica',
    max_replication_slots: logical ? 10 : 0,
    max_wal_senders: logical ? 10 : 0,
    ...options.settings,
  };

  const host = '127.0.0.1';
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = ['-D', dataDir, '-p', String(port)];
    for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);
    const child = spawn(join(bin, 'postgres'), args, { ...asUser, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    live.set(child, dir);
    installExitHook();
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (log.length < 20_000) log += chunk.toString();
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => live.delete(child));
    const connectionString = `postgres://postgres@${host}:${port}/postgres`;
    try {
      await waitReady(connectionString, child, options.startTimeoutMs ?? 30_000, () => log);
    } catch (err) {
      lastError = err;
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      continue;
    }
    let closed: Promise<void> | undefined;
    return {
      connectionString,
      host,
      port,
      dataDir,
      close: () => {
        closed ??= (async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGINT'); // fast shutdown: disconnects clients, no checkpoint wait on fsync=off
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(timer);
          }
          rmSync(dir, { recursive: true, force: true });
        })();
        return closed;
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

async function waitReady(connectionString: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited during start-up: ${log()}`);
    }
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${timeoutMs} ms: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
