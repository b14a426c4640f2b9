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
  it('keeps reliable messages across kill -9 with --data-dir, serves a cluster with --subscription settings, stops on SIGINT', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'broker-cli-'));
    dirs.push(dataDir);
    const first = await runBroker(['--port', '0', '--data-dir', dataDir]);
    const w1 = new Wire(first.urls[0]!);
    const topic = '/default/crash';
    const pid = await w1.createProducer(topic, 'p', true);
    await w1.subscribe(topic, 's', 'c');
    for (let i = 0; i < 20; i++) await w1.send(pid, topic, `m${i}`);
    w1.close();
    const gone = exited(first.child);
    first.child.kill('SIGKILL');
    await gone;

    const second = await runBroker(['--port', '0', '--data-dir', dataDir, '--brokers', '2', '--subscription', '/default/cli-w:s:maxUnackedMessages=2']);
    expect(second.urls).toHaveLength(2);
    const wires = second.urls.map((u) => new Wire(u));
    try {
      const owner = (url: string) => wires[second.urls.indexOf(url)]!;
      const crashOwner = owner((await wires[0]!.lookup(topic)).brokerUrl);
      const rx = crashOwner.receive(await crashOwner.subscribe(topic, 's', 'c'));
      expect((await rx.waitFor(10)).map(text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
      rx.cancel();

      // --subscription: this subscription has a window of 2
      await expect(wires[0]!.createProducer('/default/cli-w', 'p', true)).rejects.toMatchObject({ code: 14 });
      const w = owner((await wires[0]!.lookup('/default/cli-w')).brokerUrl);
      const pid2 = await w.createProducer('/default/cli-w', 'p', true);
      const rx2 = w.receive(await w.subscribe('/default/cli-w', 's', 'c'));
      await new Promise((r) => setTimeout(r, 50));
      for (let i = 0; i < 4; i++) await w.send(pid2, '/default/cli-w', `w${i}`);
      await rx2.waitFor(2);
      await new Promise((r) => setTimeout(r, 200));
      expect(rx2.messages.map(text)).toEqual(['w0', 'w1']);
      rx2.cancel();
    } finally {
      wires.forEach((w) => w.close());
      const code = exited(second.child);
      second.child.kill('SIGINT');
      expect(await code).toBe(0);
    }
  });
});
