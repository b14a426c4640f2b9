// The relay across a broker restart: the binding's consumer fails, the relay resubscribes and
// resumes at the subscription's position; /readyz follows the subscription state.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay } from '../../../src/relay/index.js';
import { binding, createTopic, indexOf, publish, startEnv, TRANSPORTS, waitFor, type Env } from './helpers.js';

// Once per client transport: the broker faults must end the same way on each.
describe.each(TRANSPORTS)('%s transport', (transport) => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv({}, transport);
  });
  afterAll(async () => {
    await env.close();
  });

  describe('relay reconnects', () => {
    it('resubscribes after a broker restart and loses nothing', async () => {
      const topic = createTopic(env, 'restart');
      const seen = new Set<number>();
      const relay = await startRelay(
        { port: 0, bindings: [binding({ name: 'restart', topic })] },
        {
          client: env.client,
          sinks: { restart: (records) => void records.forEach((r) => seen.add(indexOf(r))) },
        },
      );
      await publish(env.client, topic, 20);
      await waitFor(() => seen.size === 20, 10_000, 'first half');
      await env.broker.restart();
      await publish(env.client, topic, 20, { from: 20 });
      await waitFor(() => seen.size === 40, 20_000, 'second half after the restart');
      expect((await fetch(`${relay.url}/readyz`)).status).toBe(200);
      await relay.close();
    }, 40_000);

    it('is not ready while a binding cannot subscribe, and becomes ready once it can', async () => {
      const topic = `/default/later-${process.pid}`;
      const relay = await startRelay({ port: 0, bindings: [binding({ name: 'later', topic })] }, { client: env.client, sinks: { later: () => undefined } });
      expect((await fetch(`${relay.url}/readyz`)).status).toBe(503);
      expect(relay.status().bindings[0]).toMatchObject({
        state: 'connecting',
        subscribed: false,
        lastError: expect.stringContaining(`topic ${topic} does not exist yet`),
      });
      env.broker.admin.createTopic(topic, { dispatch: 'reliable' });
      // Subscribe attempts are at most a second apart.
      await waitFor(() => relay.status().ready, 3_000, 'subscribed');
      expect((await fetch(`${relay.url}/readyz`)).status).toBe(200);
      await relay.close();
    }, 30_000);

    it('fails to start, leaving nothing running, when its endpoints port is taken', async () => {
      const blocker = createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const port = (blocker.address() as { port: number }).port;
      const topic = createTopic(env, 'port');
      await expect(
        startRelay({ port, bindings: [binding({ name: 'port', topic })] }, { client: env.client, sinks: { port: () => undefined } }),
      ).rejects.toThrow(/EADDRINUSE/);
      await new Promise((r) => blocker.close(r));
    });

    it('comes back on an exclusive subscription after a restart (same consumer name, takeover)', async () => {
      const topic = createTopic(env, 'exclusive');
      const seen = new Set<number>();
      const cfg = { bindings: [binding({ name: 'excl', topic, subscription: { name: 'excl-sub', type: 'exclusive', maxUnackedMessages: 1000 } })] };
      const sinks = { excl: (records: import('../../../src/core/records.js').SinkRecord[]) => void records.forEach((r) => seen.add(indexOf(r))) };
      const first = await startRelay(cfg, { client: env.client, sinks });
      await publish(env.client, topic, 5);
      await waitFor(() => seen.size === 5, 10_000, 'first relay');
      await first.close();
      const second = await startRelay(cfg, { client: env.client, sinks });
      expect(second.status().bindings[0]!.subscribed).toBe(true);
      await publish(env.client, topic, 5, { from: 5 });
      await waitFor(() => seen.size === 10, 10_000, 'second relay');
      await second.close();
    });
  });
});
