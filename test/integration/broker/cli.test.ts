import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Wire, text } from './harness.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Starts `danube-connect broker` and resolves with its printed URLs. */
function runBroker(args: string[]): Promise<{ child: ChildProcess; urls: string[] }> {
  const child = spawn(process.execPath, ['bin/danube-connect.mjs', 'broker', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${out} ${err}`)), 20_000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const urls = [...out.matchAll(/danube broker listening on (http:\/\/127\.0\.0\.1:\d+)\n/g)].map((m) => m[1]!);
      const want = Number(args[args.indexOf('--brokers') + 1] ?? 1) || 1;
      if (urls.length >= (args.includes('--brokers') ? want : 1)) {
        clearTimeout(timer);
        resolve({ child, urls });
      }
    });
    child.on('exit', (code) => reject(new Error(`broker exited with ${code}: ${err}`)));
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

describe('danube-connect broker', () => {
  it('prints one line per broker and stops cleanly on SIGINT', async () => {
    const { child, urls } = await runBroker(['--port', '0', '--brokers', '2']);
    expect(urls).toHaveLength(2);
    const wire = new Wire(urls[0]!);
    expect((await wire.partitions('/default/none')).partitions).toEqual([]);
    wire.close();
    const code = exited(child);
    child.kill('SIGINT');
    expect(await code).toBe(0);
  });

  it('recovers acknowledged-by-broker reliable messages after a kill -9 with --data-dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'broker-cli-'));
    dirs.push(dataDir);
    const first = await runBroker(['--port', '0', '--data-dir', dataDir, '--fsync-interval-ms', '0', '--max-unacked', '50']);
    const w1 = new Wire(first.urls[0]!);
    const topic = '/default/crash';
    const pid = await w1.createProducer(topic, 'p', true);
    await w1.subscribe(topic, 's', 'c');
    for (let i = 0; i < 20; i++) await w1.send(pid, topic, `m${i}`);
    w1.close();
    const gone = exited(first.child);
    first.child.kill('SIGKILL');
    await gone;

    const second = await runBroker(['--port', '0', '--data-dir', dataDir]);
    const w2 = new Wire(second.urls[0]!);
    try {
      const cid = await w2.subscribe(topic, 's', 'c');
      const rx = w2.receive(cid);
      const msgs = await rx.waitFor(10);
      expect(msgs.map(text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
      rx.cancel();
    } finally {
      w2.close();
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  });
});
