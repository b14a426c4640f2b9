// The embedded broker in a process of its own, so that a benchmark measures the client side
// without sharing an event loop with the broker, as it would against a real cluster.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface BrokerProcess {
  url: string;
  child: ChildProcess;
}

/**
 * Starts `danube-connect broker --port 0` with the given extra flags and resolves with the URL it
 * prints. The caller ends it with `child.kill('SIGTERM')`.
 *
 * @example
 * const { url, child } = await startBrokerProcess(['--max-unacked', '10000']);
 */
export async function startBrokerProcess(extraArgs: string[] = []): Promise<BrokerProcess> {
  const child = spawn(process.execPath, ['bin/danube-connect.mjs', 'broker', '--port', '0', '--log-level', 'silent', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('broker did not start within 20 s')), 20_000);
    lines.on('line', (line) => {
      const m = /listening on (\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
  });
  return { url, child };
}
