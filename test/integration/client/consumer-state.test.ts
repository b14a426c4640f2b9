// Consumer.state() tells whether the consumer is receiving right now: attached once subscribed,
// not attached while its broker is gone, attached again once it has resubscribed to a broker that
// came back on the same address with the same data (as after a process restart).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { silentLogger } from '../../../src/core/logger.js';
import { FAST, receiveN, text, TRANSPORTS } from './helpers.js';

// Every test here runs once per transport of the hot calls (SendMessage, Ack, Nack, ReceiveMessages).
describe.each(TRANSPORTS)('%s transport', (transport) => {
  let dataDir: string;
  let broker: Broker | undefined;
  const clients: DanubeClient[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'danube-consumer-state-'));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await broker?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  function startBrokerOn(port: number): Promise<Broker> {
    return startBroker({ port, dataDir, logger: silentLogger });
  }

  function newClient(url: string): DanubeClient {
    const client = new DanubeClient({ serviceUrl: url, ...FAST, transport, logger: silentLogger });
    clients.push(client);
    return client;
  }

  /** Polls `check` every 20 ms until true, failing after `timeoutMs`. */
  async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 20));
    }
  }

  describe('Consumer.state()', () => {
    it('is attached after subscribe, not attached while the broker is down, attached again after it is back', async () => {
      broker = await startBrokerOn(0);
      const port = Number(new URL(broker.url).port);
      const topic = '/default/consumer-state';
      broker.admin.createTopic(topic, { dispatch: 'reliable', partitions: 2 });
      const client = newClient(broker.url);
      const consumer = await client.subscribe({ topic, subscription: 'state', consumerName: 'state-c' });

      expect(consumer.partitions).toHaveLength(2);
      expect(consumer.state()).toEqual({ attached: true, detachedPartitions: [] });
      expect(consumer.attached).toBe(true);

      const before = Date.now();
      await broker.close();
      await until(() => !consumer.attached, 5_000, 'not attached after the broker closed');
      const down = consumer.state();
      expect(down.attached).toBe(false);
      expect(down.detachedSince).toBeGreaterThanOrEqual(before);
      expect(down.detachedSince).toBeLessThanOrEqual(Date.now());
      // Still not attached a little later: resubscribe attempts against a closed port keep failing,
      // and the outage keeps its first moment.
      await new Promise((res) => setTimeout(res, 300));
      expect(consumer.state()).toMatchObject({ attached: false, detachedSince: down.detachedSince });
      expect(consumer.state().detachedPartitions.length).toBeGreaterThan(0);

      broker = await startBrokerOn(port);
      await until(() => consumer.attached, 10_000, 'attached again after the broker came back');
      expect(consumer.state()).toEqual({ attached: true, detachedPartitions: [] });

      // Attached means it receives: messages published now arrive.
      const producer = await newClient(broker.url).createProducer({ topic, name: 'state-p', dispatch: 'reliable' });
      for (let i = 0; i < 4; i++) await producer.send(`m${i}`, { key: `k${i}` });
      const got = await receiveN(consumer, 4, { timeoutMs: 10_000 });
      expect(got.map(text).sort()).toEqual(['m0', 'm1', 'm2', 'm3']);

      await consumer.close();
      expect(consumer.attached).toBe(false);
    }, 30_000);
  });
});
