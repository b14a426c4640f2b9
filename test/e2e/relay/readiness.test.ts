// /readyz means "subscribed, receiving and broker reachable": a broker outage turns it to 503 within
// a few seconds, naming the binding and the reason, and it turns back to 200 once the broker answers
// again on the same address and every consumer has resubscribed, so that what is published right
// after that 200 is delivered, on a non-reliable topic (nothing kept for a consumer that is not
// receiving) as much as on a reliable one. The relay makes its own client, as `danube-connect relay` does.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { silentLogger } from '../../../src/core/logger.js';
import { startRelay, type Relay, type RelayReadiness } from '../../../src/relay/index.js';
import { binding, indexOf, TRANSPORTS, waitFor } from './helpers.js';

const baseTopic = `/default/readiness-${process.pid}`;
const baseLiveTopic = `/default/readiness-live-${process.pid}`;
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

/** Polls /readyz until its body satisfies `check` (bounded), returning that body. */
async function readyzUntil(url: string, check: (r: RelayReadiness) => boolean, timeoutMs: number): Promise<RelayReadiness> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await readyz(url);
    if (check(r.body)) return r.body;
    if (Date.now() > end) throw new Error(`/readyz not as expected after ${timeoutMs} ms: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** The broker process on `port`; its data directory keeps topics and subscriptions across a stop. */
function startBrokerOn(port: number): Promise<Broker> {
  return startBroker({ port, dataDir, dispatch: { maxUnackedMessages: 1000 }, logger: silentLogger });
}

// Once per client transport: the broker faults must end the same way on each.
describe.each(TRANSPORTS)('%s transport', (transport) => {
  // Both runs share the data directory: each has topics of its own.
  const topic = `${baseTopic}-${transport}`;
  const liveTopic = `${baseLiveTopic}-${transport}`;
  describe('relay readiness', () => {
    it('answers 503 naming the binding while the broker is down, and 200 again only once it receives again', async () => {
      broker = await startBrokerOn(0);
      broker.admin.createTopic(topic, { dispatch: 'reliable' });
      broker.admin.createTopic(liveTopic, { dispatch: 'non-reliable' });
      const port = Number(new URL(broker.url).port);
      const seen = new Set<number>();
      const seenLive = new Set<number>();
      const live = binding({ name: 'live', topic: liveTopic, subscription: { name: 'live-sub', dispatch: 'non-reliable', maxUnackedMessages: 1000 } });
      relay = await startRelay(
        { serviceUrl: broker.url, port: 0, transport, bindings: [binding({ name: 'ready', topic }), live] },
        {
          logger: silentLogger,
          sinks: {
            ready: (records) => void records.forEach((r) => seen.add(indexOf(r))),
            live: (records) => void records.forEach((r) => seenLive.add(indexOf(r))),
          },
        },
      );
      const url = relay.url!;

      const up = await readyzBecomes(url, 200, 10_000);
      expect(up).toMatchObject({ ready: true, notReady: [] });
      expect(up.brokers).toEqual([expect.objectContaining({ url: broker.url, state: 'ready', reachable: true })]);

      await broker.close();
      const outageAt = Date.now();
      // The receive streams end with the connection: the consumers resubscribe at once.
      const down = await readyzBecomes(url, 503, 8_000);
      expect(Date.now() - outageAt).toBeLessThan(8_000);
      expect(down.ready).toBe(false);
      expect(down.notReady).toEqual([
        expect.objectContaining({ binding: 'ready', reasons: expect.arrayContaining(['resubscribing']) }),
        expect.objectContaining({ binding: 'live', reasons: expect.arrayContaining(['resubscribing']) }),
      ]);
      expect(relay.status().ready).toBe(false);
      expect(relay.status().bindings.map((b) => b.state)).toEqual(['connecting', 'connecting']);
      // After the connectivity grace the broker itself is named unreachable too.
      const unreachable = await readyzUntil(url, (r) => r.brokers?.[0]?.reachable === false, 8_000);
      expect(unreachable.notReady).toEqual([
        expect.objectContaining({ binding: 'ready', reasons: expect.arrayContaining(['broker-unreachable', 'resubscribing']) }),
        expect.objectContaining({ binding: 'live', reasons: expect.arrayContaining(['broker-unreachable', 'resubscribing']) }),
      ]);
      expect(unreachable.brokers).toEqual([expect.objectContaining({ url: broker.url, reachable: false })]);

      // The broker comes back on the same address with the same data (as after a process restart).
      broker = await startBrokerOn(port);
      // Producers connected first, so that the sends follow the 200 within milliseconds.
      const client = new DanubeClient({ serviceUrl: broker.url, logger: silentLogger, transport });
      try {
        const reliable = await client.createProducer({ topic, name: 'after-ready', dispatch: 'reliable' });
        const nonReliable = await client.createProducer({ topic: liveTopic, name: 'after-ready-live', dispatch: 'non-reliable' });
        const back = await readyzBecomes(url, 200, 15_000);
        const sends: Promise<unknown>[] = [];
        for (let i = 0; i < 5; i++) sends.push(nonReliable.send(JSON.stringify({ i })), reliable.send(JSON.stringify({ i })));
        await Promise.all(sends);
        expect(back).toMatchObject({ ready: true, notReady: [] });
        expect(relay.status().bindings.map((b) => b.state)).toEqual(['running', 'running']);

        // Ready means it receives again: all 5 arrive on both, none lost to a consumer still resubscribing.
        await waitFor(
          () => seen.size === 5 && seenLive.size === 5,
          15_000,
          `delivery after recovery (reliable ${seen.size}/5, non-reliable ${seenLive.size}/5)`,
        );
      } finally {
        await client.close();
      }
    }, 45_000);

    it('with readinessGraceMs 0 names the broker unreachable as soon as it is gone', async () => {
      const own = await startBroker({ port: 0, logger: silentLogger });
      const quickTopic = `/default/readiness-quick-${process.pid}-${transport}`;
      own.admin.createTopic(quickTopic, { dispatch: 'reliable' });
      let quick: Relay | undefined;
      try {
        quick = await startRelay(
          { serviceUrl: own.url, port: 0, readinessGraceMs: 0, transport, bindings: [binding({ name: 'quick', topic: quickTopic })] },
          { logger: silentLogger, sinks: { quick: () => {} } },
        );
        await readyzBecomes(quick.url!, 200, 10_000);
        await own.close();
        const outageAt = Date.now();
        const unreachable = await readyzUntil(quick.url!, (r) => r.brokers?.[0]?.reachable === false, 5_000);
        // Well inside the default 2 s grace, which would still call the broker reachable.
        expect(Date.now() - outageAt).toBeLessThan(1_500);
        expect(unreachable.notReady).toEqual([expect.objectContaining({ binding: 'quick', reasons: expect.arrayContaining(['broker-unreachable']) })]);
      } finally {
        await quick?.close();
        await own.close();
      }
    }, 30_000);
  });
});
