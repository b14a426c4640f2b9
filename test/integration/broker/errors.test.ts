import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { SubType, Wire } from './harness.js';

let broker: Broker;
let wire: Wire;

beforeAll(async () => {
  broker = await startBroker({ port: 0, maxMessageSize: 1024 * 1024 });
  wire = new Wire(broker.url);
});
afterAll(async () => {
  wire.close();
  await broker.close();
});

const invalid = (t: string) => ({
  code: status.INVALID_ARGUMENT,
  details: `The topic: ${t} has an invalid format, should be: /namespace_name/topic_name`,
});

describe('errors a client gets for the same mistakes as from the real broker', () => {
  it('rejects badly formed topic names with INVALID_ARGUMENT on every RPC', async () => {
    for (const t of ['/default/a.b', '/default/a/b', 'default', '/default/with space']) {
      await expect(wire.createProducer(t, 'p')).rejects.toMatchObject(invalid(t));
      await expect(wire.lookup(t)).rejects.toMatchObject(invalid(t));
      await expect(wire.partitions(t)).rejects.toMatchObject(invalid(t));
      await expect(wire.subscribe(t, 's', 'c')).rejects.toMatchObject(invalid(t));
    }
  });

  it('answers UNAVAILABLE when auto-creating in a namespace that does not exist', async () => {
    await expect(wire.createProducer('/nope/t', 'p')).rejects.toMatchObject({
      code: status.UNAVAILABLE,
      details: 'Unable to find the namespace nope, the topic can be created only for an exisiting namespace',
    });
  });

  it('answers NOT_FOUND when subscribing to a topic that does not exist (only producers auto-create)', async () => {
    await expect(wire.subscribe('/default/missing', 's', 'c')).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: 'Unable to find the topic: /default/missing',
    });
  });

  it('answers FAILED_PRECONDITION when the dispatch strategy differs from the topic', async () => {
    await wire.createProducer('/default/err-ds', 'p', true);
    await expect(wire.createProducer('/default/err-ds', 'q', false)).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
      details: 'Producer requested dispatch strategy does not match topic strategy',
    });
    await expect(wire.createProducer('/default/err-ds2', 'p', false, { dispatchStrategy: 7 })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'Dispatch strategy is missing',
    });
  });

  it('answers NOT_FOUND for a SendMessage from an unknown producer id', async () => {
    await expect(wire.send(42n, '/default/x', 'm')).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: 'The producer with id 42 does not exist',
    });
  });

  it('answers INVALID_ARGUMENT (not a crash) for a message without msg_id, on SendMessage, Ack and Nack', async () => {
    await expect(wire.rawSend({ requestId: 1n, payload: Buffer.from('x') })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    const noId = { requestId: 1n, payload: Buffer.alloc(0), publishTime: 0n, producerName: '', subscriptionName: '', attributes: {} };
    await expect(wire.ack(noId as never, 's')).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(wire.nack(noId as never, 's')).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    // and the broker still serves
    expect((await wire.partitions('/default/x')).partitions).toEqual([]);
  });

  it('answers PERMISSION_DENIED when a message names another topic than its producer', async () => {
    const pid = await wire.createProducer('/default/err-a', 'p');
    await expect(wire.send(pid, '/default/err-b', 'm')).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
  });

  it('answers INVALID_ARGUMENT above the max_message_size policy and RESOURCE_EXHAUSTED above 4 MiB', async () => {
    const pid = await wire.createProducer('/default/err-size', 'p');
    await expect(wire.send(pid, '/default/err-size', Buffer.alloc(1024 * 1024 + 1))).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: `Message size ${1024 * 1024 + 1} exceeds maximum allowed ${1024 * 1024} for topic /default/err-size`,
    });
    await expect(wire.send(pid, '/default/err-size', Buffer.alloc(5 * 1024 * 1024))).rejects.toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
    });
  });

  it('refuses a second consumer name on an Exclusive subscription with PERMISSION_DENIED', async () => {
    await wire.createProducer('/default/err-ex', 'p');
    await wire.subscribe('/default/err-ex', 'sub', 'c1');
    await expect(wire.subscribe('/default/err-ex', 'sub', 'c2')).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    await wire.subscribe('/default/err-ex', 'sub2', 'c2', SubType.Shared);
  });

  it('answers INTERNAL for an ack on an unknown subscription or topic, OK for an unknown offset', async () => {
    await wire.createProducer('/default/err-ack', 'p', true);
    await wire.subscribe('/default/err-ack', 'sub', 'c1');
    const msg = {
      requestId: 1n,
      msgId: { producerId: 1n, topicName: '/default/err-ack', brokerAddr: '', topicOffset: 99n },
      payload: Buffer.alloc(0),
      publishTime: 0n,
      producerName: '',
      subscriptionName: '',
      attributes: {},
    };
    await expect(wire.ack(msg, 'sub')).resolves.toBeDefined();
    await expect(wire.ack(msg, 'nope')).rejects.toMatchObject({ code: status.INTERNAL });
    await expect(wire.ack({ ...msg, msgId: { ...msg.msgId, topicName: '/default/none' } }, 'sub')).rejects.toMatchObject({ code: status.INTERNAL });
  });

  it('answers NOT_FOUND for ReceiveMessages with an unknown consumer id', async () => {
    const rx = wire.receive(777n);
    await rx.waitEnd();
    expect(rx.error?.code).toBe(status.NOT_FOUND);
  });

  it('lists partitions by prefix, in metadata-key order, and refuses mixing partitioned and plain names', async () => {
    broker.admin.createTopic('/default/parts', { partitions: 12 });
    const { partitions } = await wire.partitions('/default/parts');
    expect(partitions).toHaveLength(12);
    expect(partitions.slice(0, 4)).toEqual(['/default/parts-part-0', '/default/parts-part-1', '/default/parts-part-10', '/default/parts-part-11']);
    await expect(wire.createProducer('/default/parts', 'p')).rejects.toMatchObject({ code: status.ALREADY_EXISTS });
    await wire.createProducer('/default/plain', 'p');
    await expect(wire.createProducer('/default/plain-part-0', 'p')).rejects.toMatchObject({ code: status.ALREADY_EXISTS });
    expect((await wire.partitions('/default/unknown')).partitions).toEqual([]);
  });
});
