// One dead-letter envelope, whoever dead-letters: a source, the relay, the MQTT source and the
// webhook source each send a record that can never succeed to a dead-letter topic of one embedded
// broker (gRPC on 127.0.0.1), and every copy carries the same attribute keys with the same
// meanings, readable by the same code.
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { MemoryCheckpointStore } from '../../../src/checkpoint/memory-store.js';
import { DanubeClient } from '../../../src/client/client.js';
import type { DanubeMessage } from '../../../src/client/message.js';
import { DEAD_LETTER_ATTRIBUTES, readDeadLetterEnvelope } from '../../../src/core/dead-letter.js';
import { InvalidRecordError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { SourceRecord } from '../../../src/core/source-record.js';
import { mqttSource } from '../../../src/connectors/mqtt/source.js';
import { producerPublisher } from '../../../src/connectors/webhook/publisher.js';
import { WebhookReceiver } from '../../../src/connectors/webhook/receiver.js';
import { startRelay } from '../../../src/relay/relay.js';
import { defineSource } from '../../../src/source/define-source.js';
import { runSource } from '../../../src/source/runner.js';
import { startMosquitto, type LocalMosquitto } from '../../support/mosquitto.js';

let broker: Broker;
let client: DanubeClient;
let mosquitto: LocalMosquitto;

beforeAll(async () => {
  // Small enough that an MQTT message can be too large for it; every other record here fits.
  [broker, mosquitto] = await Promise.all([startBroker({ port: 0, maxMessageSize: 4096, logger: silentLogger }), startMosquitto()]);
  client = new DanubeClient({ serviceUrl: broker.url, logger: silentLogger });
});

afterAll(async () => {
  await client?.close();
  await broker?.close();
  await mosquitto?.close();
});

/** The next `n` records of a dead-letter topic, read from a subscription made before any arrives. */
async function deadLetters(topic: string): Promise<{ next(): Promise<DanubeMessage>; close(): Promise<void> }> {
  const setup = await client.createProducer({ topic, name: `setup-${topic.replace(/\//g, '-')}`, dispatch: 'reliable' });
  await setup.close();
  const consumer = await client.subscribe({ topic, subscription: 'inspect', type: 'exclusive' });
  const it = consumer[Symbol.asyncIterator]();
  return {
    async next() {
      const { value } = await it.next();
      await consumer.ack(value!);
      return value!;
    },
    close: () => consumer.close(),
  };
}

const KEYS = Object.values(DEAD_LETTER_ATTRIBUTES);
const REQUIRED = [
  'x-dlq-reason',
  'x-dlq-error',
  'x-dlq-error-class',
  'x-dlq-origin',
  'x-dlq-attempts',
  'x-dlq-first-failure-at',
  'x-dlq-last-failure-at',
  'x-original-topic',
];

/** What every dead letter must say, whoever wrote it. */
function expectEnvelope(msg: DanubeMessage, expected: { origin: string; reason: string; originalTopic: string; errorClass: string }, before: number): void {
  const present = Object.keys(msg.attributes).filter((k) => k.startsWith('x-dlq-') || k.startsWith('x-original-'));
  for (const key of REQUIRED) expect(present, `${expected.origin} writes ${key}`).toContain(key);
  for (const key of present) expect(KEYS, `${expected.origin}: ${key} is part of the envelope`).toContain(key);
  const envelope = readDeadLetterEnvelope(msg.attributes)!;
  expect(envelope).toMatchObject({
    origin: expected.origin,
    reason: expected.reason,
    originalTopic: expected.originalTopic,
    errorClass: expected.errorClass,
    attempts: 1,
  });
  expect(envelope.error.length).toBeGreaterThan(0);
  expect(envelope.firstFailureAt).toBeGreaterThanOrEqual(before);
  expect(envelope.lastFailureAt).toBeGreaterThanOrEqual(envelope.firstFailureAt);
  expect(envelope.lastFailureAt).toBeLessThanOrEqual(Date.now());
}

describe('the dead-letter envelope', () => {
  it('a source run dead-letters a record its route refuses', async () => {
    const dlq = await deadLetters('/default/env-source-dlq');
    const before = Date.now();
    const source = defineSource({
      name: 'env-source',
      route: (r) => {
        if (new TextDecoder().decode(r.payload) === 'bad') throw new InvalidRecordError('no route for this one');
        return '/default/env-source';
      },
      deadLetterTopic: '/default/env-source-dlq',
      poll: async () => ({ records: [SourceRecord.fromString('good'), SourceRecord.fromString('bad', { key: 'k-1' })], checkpoint: 1, done: true }),
    });
    await runSource(source, { client, store: new MemoryCheckpointStore(), budgetMs: 10_000, logger: silentLogger });
    const msg = await dlq.next();
    expectEnvelope(msg, { origin: 'source:env-source', reason: 'invalid-record', originalTopic: '', errorClass: 'InvalidRecordError' }, before);
    expect(msg.attributes['x-original-key']).toBe('k-1');
    expect(msg.attributes['x-original-record-id']).toMatch(/^env-source@/);
    expect(new TextDecoder().decode(msg.payload)).toBe('bad');
    await dlq.close();
  });

  it('the relay dead-letters a record its function declares invalid', async () => {
    const dlq = await deadLetters('/default/env-relay-dlq');
    const topic = '/default/env-relay';
    broker.admin.createTopic(topic, { dispatch: 'reliable' });
    const before = Date.now();
    const relay = await startRelay(
      {
        bindings: [
          {
            name: 'env-relay',
            topic,
            subscription: { name: 'env-relay', maxUnackedMessages: 100 },
            function: { type: 'local', module: 'unused' },
            deadLetterTopic: '/default/env-relay-dlq',
            maxBatchingWindowMs: 20,
          },
        ],
      },
      {
        client,
        logger: silentLogger,
        sinks: {
          'env-relay': (records) => ({ batchItemFailures: records.map((r) => ({ itemIdentifier: r.id, reason: 'invalid', message: 'not an order' })) }),
        },
      },
    );
    const producer = await client.createProducer({ topic, name: 'env-relay-producer', dispatch: 'reliable' });
    await producer.send('{"x":1}', { key: 'k-2' });
    const msg = await dlq.next();
    expectEnvelope(msg, { origin: 'relay:env-relay', reason: 'invalid-record', originalTopic: topic, errorClass: 'InvalidRecordError' }, before);
    expect(msg.attributes).toMatchObject({
      'x-original-offset': '0',
      'x-original-key': 'k-2',
      'x-original-record-id': `${topic}@0`,
      'x-dlq-error': 'not an order',
    });
    expect(Number(msg.attributes['x-original-publish-time'])).toBeGreaterThanOrEqual(before);
    await producer.close();
    await relay.close();
    await dlq.close();
  });

  it('the MQTT source dead-letters a message the broker refuses as too large', async () => {
    const dlq = await deadLetters('/default/env-mqtt-dlq');
    const before = Date.now();
    const config = {
      name: 'env-mqtt',
      url: mosquitto.url,
      clientId: 'env-mqtt',
      idleMs: 300,
      routes: [{ filter: 'big/#', topic: '/default/env-mqtt' }],
      deadLetterTopic: '/default/env-mqtt-dlq',
    };
    // First run: the persistent session exists, so what is published next waits for the second.
    await mqttSource(config).run({ client, budgetMs: 5_000, logger: silentLogger });
    const sender = await connectAsync(mosquitto.url);
    await sender.publishAsync('big/one', Buffer.alloc(10_000, 'x'), { qos: 1 });
    await sender.endAsync();
    const summary = await mqttSource(config).run({ client, budgetMs: 5_000, logger: silentLogger });
    expect(summary).toMatchObject({ deadLettered: 1 });
    const msg = await dlq.next();
    expectEnvelope(msg, { origin: 'mqtt:env-mqtt', reason: 'too-large', originalTopic: '/default/env-mqtt', errorClass: 'MessageTooLargeError' }, before);
    expect(msg.attributes['x-original-key']).toBe('big/one');
    await dlq.close();
  });

  it('the webhook source dead-letters an authenticated request whose body is not JSON', async () => {
    const dlq = await deadLetters('/default/env-webhook-dlq');
    const before = Date.now();
    const publisher = producerPublisher(client);
    const receiver = new WebhookReceiver(
      { routes: [{ path: '/orders', topic: '/default/env-webhook' }], deadLetterTopic: '/default/env-webhook-dlq' },
      { publisher, logger: silentLogger },
    );
    const res = await receiver.handle({
      method: 'POST',
      path: '/orders',
      headers: new Headers({ 'content-type': 'application/json' }),
      body: new TextEncoder().encode('{"cut off'),
    });
    expect(res.status).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'dead-lettered', reason: 'invalid-record' });
    const msg = await dlq.next();
    expectEnvelope(msg, { origin: 'webhook:/orders', reason: 'invalid-record', originalTopic: '/default/env-webhook', errorClass: 'SyntaxError' }, before);
    expect(new TextDecoder().decode(msg.payload)).toBe('{"cut off');
    // Without a dead-letter topic the same request is refused, as before.
    const plain = new WebhookReceiver({ routes: [{ path: '/orders', topic: '/default/env-webhook' }] }, { publisher, logger: silentLogger });
    expect((await plain.handle({ method: 'POST', path: '/orders', headers: new Headers(), body: new TextEncoder().encode('{"cut off') })).status).toBe(400);
    await publisher.close();
    await dlq.close();
  });
});
