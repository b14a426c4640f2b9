// Scenarios of reliable_dispatch_reconnection.rs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumer, next, producer, sleep, startCluster, take, text, uniqueTopic, type Cluster } from './helpers.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.close());

const payloads = (n: number) => Array.from({ length: n }, (_, i) => `msg_${i}`);

describe('reliable_dispatch_reconnection', () => {
  it('Exclusive: the message left unacked at disconnect comes first after reconnecting, then the rest', async () => {
    const topic = uniqueTopic('/default/reliable_reconnect_exclusive');
    const p = await producer(cluster, { topic, name: 'prod_exclusive_reconnect', dispatch: 'reliable' });
    const opts = { topic, subscription: 'sub_exclusive_reconnect', consumerName: 'cons_exclusive_reconnect', type: 'exclusive' as const };
    const c = await consumer(cluster, opts);
    for (const body of payloads(10)) await p.send(body);
    expect((await take(c, 3)).map(text)).toEqual(payloads(3));
    expect(text(await next(c))).toBe('msg_3');
    await c.close();
    await sleep(300);
    const again = await consumer(cluster, opts);
    const rest = await take(again, 7);
    expect(rest.map(text)).toEqual(payloads(10).slice(3));
  });

  it('Shared: a message unacked by a consumer that leaves goes to the other one', async () => {
    const topic = uniqueTopic('/default/reliable_reconnect_shared');
    const p = await producer(cluster, { topic, name: 'prod_shared_reconnect', dispatch: 'reliable' });
    const opts = (name: string) => ({ topic, subscription: 'sub_shared_reconnect', consumerName: name, type: 'shared' as const });
    const c1 = await consumer(cluster, opts('c1_shared_reconnect'));
    const c2 = await consumer(cluster, opts('c2_shared_reconnect'));
    await sleep(400);
    for (const body of payloads(10)) await p.send(body);
    const acked: string[] = [];
    // Whoever gets messages first acks 3, then one is left unacked by its receiver, which closes.
    const race = async () => {
      for (;;) {
        for (const [name, c] of [
          ['c1', c1],
          ['c2', c2],
        ] as const) {
          const m = await c.receive({ timeoutMs: 20 });
          if (m) return { name, c, m };
        }
      }
    };
    for (let i = 0; i < 3; i++) {
      const { c, m } = await race();
      acked.push(text(m));
      await c.ack(m);
    }
    const pending = await race();
    const survivor = pending.name === 'c1' ? c2 : c1;
    await pending.c.close();
    await sleep(300);
    const rest: string[] = [];
    for (;;) {
      const m = await survivor.receive({ timeoutMs: 2_000 });
      if (!m) break;
      rest.push(text(m));
      await survivor.ack(m);
    }
    expect(rest).toContain(text(pending.m));
    expect(new Set([...acked, ...rest])).toEqual(new Set(payloads(10)));
  });

  it('an unacked message is delivered again on every reconnect until it is acked, then the next one', async () => {
    const topic = uniqueTopic('/default/reliable_multi_reconnect');
    const p = await producer(cluster, { topic, name: 'prod_multi_reconnect', dispatch: 'reliable' });
    const opts = { topic, subscription: 'sub_multi_reconnect', consumerName: 'cons_multi_reconnect', type: 'exclusive' as const };
    let c = await consumer(cluster, opts);
    for (const body of payloads(5)) await p.send(body);
    expect(text((await take(c, 1))[0]!)).toBe('msg_0');
    let pending = await next(c);
    expect(text(pending)).toBe('msg_1');
    for (let cycle = 0; cycle < 2; cycle++) {
      await c.close();
      await sleep(300);
      c = await consumer(cluster, opts);
      pending = await next(c);
      expect(text(pending)).toBe('msg_1');
    }
    await c.ack(pending);
    expect(text(await next(c))).toBe('msg_2');
  });
});
