// A throw-away mosquitto on 127.0.0.1 for MQTT tests: its own temp config and persistence
// directory (so persistent sessions survive `restart()`), an ephemeral port, and only its own
// PID is ever signalled.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalMosquitto {
  /** `mqtt://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Stops and starts it on the same port with the same persistence (sessions and queues kept). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, deadlineMs: number, stderr: () => string): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}): ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`mosquitto did not listen on ${port}: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts mosquitto (Debian package `mosquitto`) with persistence in a temp dir.
 *
 * @example
 * const mq = await startMosquitto();
 * const client = await mqtt.connectAsync(mq.url);
 */
export async function startMosquitto(): Promise<LocalMosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'mosquitto-'));
  let child: ChildProcess | undefined;
  let port = 0;
  const launch = async () => {
    for (let attempt = 1; ; attempt++) {
      port ||= await freePort();
      const conf = join(dir, 'mosquitto.conf');
      await writeFile(
        conf,
        [
          `listener ${port} 127.0.0.1`,
          'allow_anonymous true',
          'persistence true',
          `persistence_location ${dir}/`,
          'autosave_interval 1',
          'max_queued_messages 100000',
          'max_inflight_messages 20',
          // Running as root, mosquitto would switch to its own user, which cannot write the temp dir.
          ...(process.getuid?.() === 0 ? ['user root'] : []),
          'log_type error',
          '',
        ].join('\n'),
      );
      let stderr = '';
      const c = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      c.stderr!.on('data', (d) => (stderr += d));
      try {
        await waitForPort(port, c, 10_000, () => stderr);
        child = c;
        return;
      } catch (err) {
        c.kill('SIGKILL');
        if (attempt >= 3) throw err;
        port = 0; // the port was taken in between: pick another
      }
    }
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    // SIGTERM makes mosquitto save its persistence file before exiting.
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(t);
  };
  await launch();
  return {
    get url() {
      return `mqtt://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    async restart() {
      await stop();
      await launch();
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
