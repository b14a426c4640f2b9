import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBrokerToken, startBroker, type Broker } from '../../../../src/broker/index.js';
import { DanubeClient, type Consumer, type DanubeMessage } from '../../../../src/client/index.js';
import { bridgeSink } from '../../../../src/connectors/bridge/sink.js';
import { wouldLoop } from '../../../../src/connectors/bridge/loop-guard.js';
import { encodeSinkBatch } from '../../../../src/sink/event.js';
import { runSink } from '../../../../src/sink/run.js';
import { FAST, quiet, receiveN, text } from '../../client/helpers.js';

const SECRET = 'bridge-test-secret-0123456789abcdef';
let eu: Broker;
let us: Broker;
let euClient: DanubeClient;
let usClient: DanubeClient;
let token: string;

beforeAll(async () => {
  // Two clusters; the destination requires a token, as a real remote cluster would.
  [eu, us] = await Promise.all([startBroker({ port: 0 }), startBroker({ port: 0, auth: { jwtSecret: SECRET, superAdmins: ['bridge'] } })]);
  token = signBrokerToken(SECRET, { sub: 'bridge' });
  euClient = new DanubeClient({ serviceUrl: eu.url, ...FAST });
  usClient = new DanubeClient({ serviceUrl: us.url, token, ...FAST });
});
afterAll(async () => {
  await Promise.all([euClient?.close(), usClient?.close()]);
  await Promise.all([eu?.close(), us?.close()]);
});

async function subscribe(client: DanubeClient, topic: string, partitions?: number): Promise<Consumer> {
  const p = await client.createProducer({ topic, name: 'setup', dispatch: 'reliable', ...(partitions ? { partitions } : {}) });
  await p.close();
  return client.subscribe({ topic, subscription: 'check', type: 'exclusive' });
}

/** The relay's part, done by hand: read a batch from one cluster, hand it to the sink, ack. */
async function relayOnce(consumer: Consumer, count: number, sink: ReturnType<typeof bridgeSink>, topic: string) {
  const messages = await receiveN(consumer, count, { ack: false });
  const event = encodeSinkBatch(
    messages.map((m: DanubeMessage) => ({ ...m, attempt: 1 })),
    { binding: 'bridge', topic, subscription: 'check' },
  );
  const outcome = await runSink(sink, event);
  for (const m of messages) await consumer.ack(m);
  return outcome;
}

describe('Danube-to-Danube bridge between two embedded brokers', () => {
  it('forwards payload, key and attributes to the mapped topic with origin attributes, keeping per-key order', async () => {
    const source = await subscribe(euClient, '/default/orders');
    const target = await subscribe(usClient, '/default/orders-replica', 3);
    const producer = await euClient.createProducer({ topic: '/default/orders', name: 'shop', dispatch: 'reliable' });
    for (let i = 0; i < 30; i++) await producer.send(JSON.stringify({ i }), { key: `cust-${i % 4}`, attributes: { tenant: 't1' } });
    const sink = bridgeSink({
      clusterId: 'eu',
      destination: { clusterId: 'us', serviceUrl: us.url, token },
      topicMap: { '/default/orders': '/default/orders-replica' },
      partitions: 3,
    });
    // Reliable subscriptions hold at most 10 unacked messages: batches of 10, as the relay cuts them.
    for (let b = 0; b < 3; b++) expect((await relayOnce(source, 10, sink, '/default/orders')).status).toBe('success');
    const got = await receiveN(target, 30, { timeoutMs: 10_000 });
    const byKey = new Map<string, number[]>();
    // Keys were routed to partitions (FNV-1a), each key to one only.
    const partitionsOf = new Map<string, Set<string>>();
    for (const m of got) partitionsOf.set(m.routingKey!, (partitionsOf.get(m.routingKey!) ?? new Set()).add(m.topic));
    expect([...partitionsOf.values()].every((s) => s.size === 1)).toBe(true);
    for (const m of got) byKey.set(m.routingKey!, [...(byKey.get(m.routingKey!) ?? []), JSON.parse(text(m)!).i]);
    expect(byKey.get('cust-1')).toEqual([1, 5, 9, 13, 17, 21, 25, 29]);
    expect(got[0]!.attributes).toMatchObject({
      tenant: 't1',
      'x-bridge-origin-cluster': 'eu',
      'x-bridge-origin-topic': '/default/orders',
      'x-bridge-path': 'eu',
    });
    expect(got.map((m) => m.attributes['x-bridge-origin-offset']).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 30 }, (_, i) => String(i)),
    );
    await producer.close();
    await Promise.all([source.close(), target.close()]);
  });

  it('two clusters bridged both ways do not echo: records that came from the destination are dropped', async () => {
    const euIn = await subscribe(euClient, '/default/chat');
    const usIn = await subscribe(usClient, '/default/chat');
    const euToUs = bridgeSink({ clusterId: 'eu', destination: { clusterId: 'us', serviceUrl: us.url, token } });
    const usToEu = bridgeSink({ clusterId: 'us', destination: { clusterId: 'eu', serviceUrl: eu.url } });
    const p = await euClient.createProducer({ topic: '/default/chat', name: 'people', dispatch: 'reliable' });
    await p.send('hello from eu', { key: 'room-1' });
    await relayOnce(euIn, 1, euToUs, '/default/chat'); // eu → us
    const onUs = await receiveN(usIn, 1, { ack: false });
    expect(text(onUs[0])).toBe('hello from eu');
    // The us → eu bridge sees it and does not send it back.
    const back = await runSink(usToEu, encodeSinkBatch([{ ...onUs[0]!, attempt: 1 }], { binding: 'b', topic: '/default/chat', subscription: 'check' }));
    expect(back.status).toBe('success');
    expect(usToEu.stats).toEqual({ forwarded: 0, droppedLoops: 1 });
    expect(await quiet(euIn, 300)).toBeUndefined();
    expect(wouldLoop({ 'x-bridge-origin-cluster': 'eu', 'x-bridge-path': 'eu,us' }, 'eu')).toBe(true);
    await p.close();
    await Promise.all([euIn.close(), usIn.close()]);
  });

  it('fails the batch as fatal when the destination refuses the token, and retryable per record when it is down', async () => {
    const source = await subscribe(euClient, '/default/secured');
    const p = await euClient.createProducer({ topic: '/default/secured', name: 'x', dispatch: 'reliable' });
    await p.send('a');
    const messages = await receiveN(source, 1);
    const event = encodeSinkBatch(
      messages.map((m) => ({ ...m, attempt: 1 })),
      { binding: 'b', topic: '/default/secured', subscription: 'check' },
    );
    const denied = await runSink(
      bridgeSink({
        clusterId: 'eu',
        destination: { clusterId: 'us', serviceUrl: us.url, token: 'bad.token.here', connectTimeoutMs: 1000, requestTimeoutMs: 1000 },
      }),
      event,
    );
    expect(denied.status).toBe('failed');
    expect(denied.error?.kind).toBe('fatal');
    const down = await runSink(
      bridgeSink({ clusterId: 'eu', destination: { clusterId: 'us', serviceUrl: 'http://127.0.0.1:9', connectTimeoutMs: 300, requestTimeoutMs: 300 } }),
      event,
    );
    expect(down.status === 'partial' ? down.failures.map((f) => f.reason) : down.error?.kind).toEqual(['retryable']);
    await p.close();
    await source.close();
  });

  it('reaches a destination over TLS with a client certificate', async () => {
    const fixture = (name: string) => readFileSync(new URL(`../../client/fixtures/${name}`, import.meta.url), 'utf8');
    const secure = await startBroker({ port: 0, tls: { cert: fixture('server.pem'), key: fixture('server.key') } });
    const tls = { ca: fixture('ca.pem'), cert: fixture('client.pem'), key: fixture('client.key') };
    const reader = new DanubeClient({ serviceUrl: secure.url, ...FAST, tls });
    try {
      const target = await subscribe(reader, '/default/tls-copy');
      const sink = bridgeSink({
        clusterId: 'eu',
        destination: { clusterId: 'secure', serviceUrl: secure.url, tls },
        topicMap: { '/default/tls-orders': '/default/tls-copy' },
      });
      const record = {
        topic: '/default/tls-orders',
        offset: 7n,
        publishTime: Date.now(),
        producerName: 'p',
        attributes: {},
        payload: new TextEncoder().encode('over tls'),
        attempt: 1,
      };
      const out = await runSink(sink, encodeSinkBatch([record], { binding: 'b', topic: '/default/tls-orders', subscription: 's' }));
      expect(out.status).toBe('success');
      expect(out.failures).toEqual([]);
      const [copy] = await receiveN(target, 1);
      expect(text(copy)).toBe('over tls');
      expect(copy!.attributes['x-bridge-origin-offset']).toBe('7');
      await target.close();
    } finally {
      await reader.close();
      await secure.close();
    }
  });

  it('rejects a destination equal to its own cluster, and unknown keys', () => {
    expect(() => bridgeSink({ clusterId: 'eu', destination: { clusterId: 'eu', serviceUrl: eu.url } })).toThrow(/destination.clusterId/);
    expect(() => bridgeSink({ clusterId: 'eu', destination: { clusterId: 'us', serviceUrl: us.url }, topicmap: {} } as never)).toThrow(/topicmap: unknown key/);
  });
});
