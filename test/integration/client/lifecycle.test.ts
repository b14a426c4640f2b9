import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness, TRANSPORTS } from './helpers.js';

// Every test here runs once per transport of the hot calls (SendMessage, Ack, Nack, ReceiveMessages).
describe.each(TRANSPORTS)('%s transport', (transport) => {
  const repo = resolve(fileURLToPath(import.meta.url), '../../../..');
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await harness({}, { transport });
    dir = mkdtempSync(join(tmpdir(), 'danube-client-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await h.close();
  });

  describe('client lifecycle', () => {
    it("never keeps a process alive: health-check timers are unref'd", async () => {
      const script = join(dir, 'idle-client.mts');
      writeFileSync(
        script,
        `import { DanubeClient } from ${JSON.stringify(join(repo, 'src/client/index.ts'))};
  const client = new DanubeClient({ serviceUrl: ${JSON.stringify(h.broker.url)}, healthCheckIntervalMs: 50, transport: ${JSON.stringify(transport)} });
  const producer = await client.createProducer({ topic: '/default/idle', name: 'idle' });
  await producer.send('x');
  // No close(): the process must still exit on its own.
  `,
      );
      const child = spawn(process.execPath, ['--import', join(repo, 'node_modules/tsx/dist/esm/index.mjs'), script], { stdio: 'ignore' });
      const code = await new Promise<number | string>((done) => {
        const timer = setTimeout(() => {
          child.kill();
          done('still running after 20 s');
        }, 20_000);
        child.on('exit', (exitCode) => {
          clearTimeout(timer);
          done(exitCode ?? -1);
        });
      });
      expect(code).toBe(0);
    });
  });
});
