// DanubeClient.connectivity() reads each channel's state without an RPC. A bare HTTP/2 server on
// 127.0.0.1 is enough for grpc-js to reach READY, so these checks need no broker.
import { createServer, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DanubeClient } from '../../../src/client/index.js';
import { silentLogger } from '../../../src/core/logger.js';

interface H2 {
  server: Http2Server;
  port: number;
  close(): Promise<void>;
}

async function startH2(port = 0): Promise<H2> {
  const server = createServer();
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function until<T>(read: () => T, ok: (v: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A port with nothing listening on it (taken, then released). */
async function freePort(): Promise<number> {
  const h2 = await startH2();
  await h2.close();
  return h2.port;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('DanubeClient.connectivity()', () => {
  it('is reachable during the grace period, then unreachable while nothing answers', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const client = new DanubeClient({ serviceUrl: url, logger: silentLogger });
    cleanup.push(() => client.close());
    const first = client.connectivity();
    expect(first.reachable).toBe(true);
    expect(first.brokers).toEqual([expect.objectContaining({ url, reachable: true })]);
    const later = await until(
      () => client.connectivity({ graceMs: 200 }),
      (c) => !c.reachable,
    );
    expect(later.brokers[0]).toMatchObject({ url, state: 'transient-failure', reachable: false, failingSince: expect.any(Number) });
  });

  it('follows a server going away and coming back on the same port', async () => {
    let h2 = await startH2();
    const port = h2.port;
    const client = new DanubeClient({ serviceUrl: `http://127.0.0.1:${port}`, logger: silentLogger });
    cleanup.push(() => client.close());
    cleanup.push(() => h2.close());
    const up = await until(
      () => client.connectivity({ graceMs: 200 }),
      (c) => c.brokers[0]?.state === 'ready',
    );
    expect(up.reachable).toBe(true);
    expect(up.brokers[0]!.failingSince).toBeUndefined();

    await h2.close();
    const down = await until(
      () => client.connectivity({ graceMs: 200 }),
      (c) => !c.reachable,
    );
    expect(down.brokers[0]!.state).not.toBe('ready');

    h2 = await startH2(port);
    const back = await until(
      () => client.connectivity({ graceMs: 200 }),
      (c) => c.reachable && c.brokers[0]?.state === 'ready',
      10_000,
    );
    expect(back.brokers[0]!.failingSince).toBeUndefined();
  }, 20_000);

  it('reports a closed client as unreachable', async () => {
    const client = new DanubeClient({ serviceUrl: `http://127.0.0.1:${await freePort()}`, logger: silentLogger });
    await client.close();
    expect(client.connectivity()).toEqual({ reachable: false, brokers: [] });
  });
});
