// A relay started before its topic exists says so (/readyz, logs) and subscribes again every
// second at most; provisioning creates the topic (with its partitions), the subscription and its
// settings; every record published after provisioning reaches the sink.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DanubeAdmin } from '../../../src/admin/index.js';
import { silentLogger } from '../../../src/core/logger.js';
import { parseRelayConfig, startRelay, type Relay, type RelayReadiness } from '../../../src/relay/index.js';
import { provisionBindings } from '../../../src/serverless/provision.js';
import { indexOf, publish, startEnv, waitFor, type Env } from './helpers.js';

let env: Env;
let admin: DanubeAdmin;
let relay: Relay | undefined;
beforeAll(async () => {
  env = await startEnv();
  admin = new DanubeAdmin({ adminUrl: env.broker.adminUrl });
});
afterAll(async () => {
  await relay?.close();
  admin.close();
  await env.close();
});

async function readyz(url: string): Promise<{ status: number; body: RelayReadiness }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as RelayReadiness };
}

describe('a relay before its topic exists, and provisioning', () => {
  it('waits, saying why; once provisioned, every record published after it reaches the sink', async () => {
    const topic = `/default/provisioned-${process.pid}`;
    const input = {
      serviceUrl: env.broker.url,
      port: 0,
      bindings: [
        {
          name: 'orders',
          topic,
          partitions: 2,
          subscription: 'orders-sub',
          function: { type: 'local' as const, module: 'unused' },
          batchSize: 20,
          maxConcurrency: 2,
          maxBatchingWindowMs: 50,
        },
      ],
    };
    const logs: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
    const seen = new Set<number>();
    relay = await startRelay(input, { logger, sinks: { orders: (records) => void records.forEach((r) => seen.add(indexOf(r))) } });
    const url = relay.url!;

    const waiting = await readyz(url);
    expect(waiting.status).toBe(503);
    expect(waiting.body.notReady).toEqual([
      expect.objectContaining({ binding: 'orders', reasons: ['topic-missing'], lastError: expect.stringContaining(`topic ${topic} does not exist yet`) }),
    ]);
    expect(logs.some((l) => l.includes(`topic ${topic} does not exist yet`) && l.includes('"level":40'))).toBe(true);

    const { config } = parseRelayConfig(input);
    const report = await provisionBindings(config.bindings, { admin, client: env.client, logger: silentLogger });
    const provisionedAt = Date.now();
    expect(report.topics).toEqual([
      {
        topic,
        partitions: [`${topic}-part-0`, `${topic}-part-1`],
        dispatch: 'reliable',
        created: true,
        subscriptions: [{ binding: 'orders', subscription: 'orders-sub', created: true, maxUnackedMessages: 40, ackTimeoutMs: 35_050 }],
      },
    ]);
    // The window and ack timeout the binding needs, set on every partition.
    for (const p of report.topics[0]!.partitions) {
      expect(await admin.subscriptions.getMaxUnacked(p, 'orders-sub')).toBe(40);
      expect((await admin.subscriptions.getFailurePolicy(p, 'orders-sub'))?.policy.ackTimeoutMs).toBe(35_050);
    }

    // Published at once, before the relay has even noticed the topic: kept for its subscription.
    await publish(env.client, topic, 30);
    await waitFor(() => seen.size === 30, 20_000, `all 30 records at the sink (${seen.size})`);
    const ready = await readyz(url);
    expect(ready.status).toBe(200);
    // It subscribed again within about a second of the topic appearing, not after a growing backoff.
    const subscribedLog = logs.map((l) => JSON.parse(l) as { msg: string; time: number }).find((l) => l.msg === 'binding subscribed');
    expect(subscribedLog!.time - provisionedAt).toBeLessThan(3_000);

    // A second run changes nothing and says so.
    const again = await provisionBindings(config.bindings, { admin, client: env.client, logger: silentLogger });
    expect(again.topics[0]).toMatchObject({ created: false, subscriptions: [{ created: false }] });
    expect(again.warnings).toEqual([]);
  });

  it('keeps what exists, warning when it differs from the binding', async () => {
    const topic = `/default/existing-${process.pid}`;
    env.broker.admin.createTopic(topic, { dispatch: 'non-reliable' });
    const { config } = parseRelayConfig({ bindings: [{ name: 'b', topic, partitions: 3, subscription: 's', function: { type: 'local', module: 'm' } }] });
    const report = await provisionBindings(config.bindings, { admin, client: env.client, logger: silentLogger });
    expect(report.warnings).toEqual([
      `topic ${topic} exists with no partitions, binding "b" declares 3 partitions: kept as it is`,
      `topic ${topic} is non-reliable, binding "b" expects reliable: kept as it is`,
    ]);
    expect(report.topics[0]).toMatchObject({ partitions: [topic], dispatch: 'non-reliable', created: false });
  });
});
