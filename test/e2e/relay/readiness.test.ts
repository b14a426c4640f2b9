// /readyz means "subscribed and broker reachable": a broker outage turns it to 503 within a few
// seconds, naming the binding and the reason, and it turns back to 200 once the broker answers again
// on the same address. The relay makes its own client here, as `danube-connect relay` does.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { silentLogger } from '../../../src/core/logger.js';
import { startRelay, type Relay, type RelayReadiness } from '../../../src/relay/index.js';
import { binding, indexOf, publish, waitFor } from './helpers.js';

const topic = `/default/readiness-${process.pid}`;
let broker: Broker | undefined;
let relay: Relay | undefined;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'danube-readiness-'));
});
afterAll(async () => {
  await relay?.close();
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function readyz(url: string): Promise<{ status: number; body: RelayReadiness }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as RelayReadiness };
}

/** Polls /readyz until it answers `status` (bounded), returning that answer. */
async function readyzBecomes(url: string, status: number, timeoutMs: number): Promise<RelayReadiness> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await readyz(url);
    if (r.status === status) return r.body;
    if (Date.now() > end) throw new Error(`/readyz still ${r.status} after ${timeoutMs} ms: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** The broker process on `port`; its data directory keeps topics and subscriptions across a stop. */
function startBrokerOn(port: number): Promise<Broker> {
  return startBroker({ port, dataDir, dispatch: { maxUnackedMessages: 1000 }, logger: silentLogger });
}

describe('relay readiness', () => {
  it('answers 503 naming the binding while the broker is down, and 200 again once it is back', async () => {
    broker = await startBrokerOn(0);
    broker.admin.createTopic(topic, { dispatch: 'reliable' });
    const port = Number(new URL(broker.url).port);
    const seen = new Set<number>();
    relay = await startRelay({ serviceUrl: broker.url, port: 0, bindings: [binding({ name: 'ready', topic })] }, {
      logger: silentLogger, sinks: { ready: (records) => void records.forEach((r) => seen.add(indexOf(r))) },
    });
    const url = relay.url!;

    const up = await readyzBecomes(url, 200, 10_000);
    expect(up).toMatchObject({ ready: true, notReady: [] });
    expect(up.brokers).toEqual([expect.objectContaining({ url: broker.url, state: 'ready', reachable: true })]);

    await broker.close();
    const outageAt = Date.now();
    const down = await readyzBecomes(url, 503, 8_000);
    expect(Date.now() - outageAt).toBeLessThan(8_000);
    expect(down.ready).toBe(false);
    expect(down.notReady).toEqual([expect.objectContaining({ binding: 'ready', reasons: expect.arrayContaining(['broker-unreachable']) })]);
    expect(down.brokers).toEqual([expect.objectContaining({ url: broker.url, reachable: false })]);
    expect(relay.status().ready).toBe(false);

    // The broker comes back on the same address with the same data (as after a process restart).
    broker = await startBrokerOn(port);
    const back = await readyzBecomes(url, 200, 15_000);
    expect(back).toMatchObject({ ready: true, notReady: [] });

    // Ready means it delivers again (the subscription was kept, so nothing published now is missed).
    const client = new DanubeClient({ serviceUrl: broker.url, logger: silentLogger });
    try {
      await publish(client, topic, 5);
      await waitFor(() => seen.size === 5, 15_000, 'delivery after recovery');
    } finally {
      await client.close();
    }
  }, 45_000);
});
