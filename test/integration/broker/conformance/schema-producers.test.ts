// Scenarios of schema_validation_policy.rs, schema_version_selection.rs and
// topic_schema_config.rs: producers with schemas, end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Producer, ProducerSchemaOptions, SchemaRegistry, SchemaType } from '../../../../src/client/index.js';
import { attached, consumer, next, producer, startCluster, take, text, uniqueTopic, type Cluster } from './helpers.js';

let cluster: Cluster;
let registry: SchemaRegistry;
beforeAll(async () => {
  cluster = await startCluster();
  registry = cluster.client.schemaRegistry;
});
afterAll(() => cluster.close());

const register = (subject: string, definition: unknown, type: SchemaType = 'json_schema') =>
  registry.register({ subject, type, definition: typeof definition === 'string' ? definition : JSON.stringify(definition) });

/** A topic with a schema producer and a reliable exclusive consumer (nothing is lost before it reads). */
async function pipe(name: string, schema?: ProducerSchemaOptions) {
  const topic = uniqueTopic(`/default/${name}`);
  const p = await producer(cluster, { topic, name: `producer_${name}`, dispatch: 'reliable', ...(schema ? { schema } : {}) });
  const c = await consumer(cluster, { topic, subscription: `sub_${name}`, consumerName: `consumer_${name}`, type: 'exclusive' });
  await attached(cluster, topic, `sub_${name}`);
  return { topic, p, c };
}

describe('schema_validation_policy', () => {
  it('a JSON payload matching the schema arrives with the schema id', async () => {
    const { schemaId } = await register('matching-schema', {
      type: 'object',
      properties: { message: { type: 'string' }, count: { type: 'integer' } },
      required: ['message', 'count'],
    });
    const { p, c } = await pipe('matching', { subject: 'matching-schema' });
    await p.send(JSON.stringify({ message: 'hello', count: 42 }));
    const m = await next(c);
    expect(m.schemaId).toBe(schemaId);
    expect(JSON.parse(text(m))).toEqual({ message: 'hello', count: 42 });
  });

  it('several valid payloads of one schema arrive as sent', async () => {
    await register('multi-type-schema', {
      type: 'object',
      properties: {
        string_field: { type: 'string' },
        int_field: { type: 'integer' },
        bool_field: { type: 'boolean' },
        array_field: { type: 'array', items: { type: 'string' } },
      },
      required: ['string_field', 'int_field'],
    });
    const { p, c } = await pipe('multi_valid', { subject: 'multi-type-schema' });
    const payloads = [
      { string_field: 'one', int_field: 1 },
      { string_field: 'two', int_field: 2, bool_field: true },
      { string_field: 'three', int_field: 3, array_field: ['a', 'b'] },
    ];
    for (const body of payloads) await p.send(JSON.stringify(body));
    const got = await take(c, 3);
    expect(got.map((m) => JSON.parse(text(m)).string_field)).toEqual(['one', 'two', 'three']);
  });

  it('messages of v1 and v2 producers arrive with their versions', async () => {
    const subject = `evolution-${Date.now()}`;
    await register(subject, { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] });
    const { topic, p: p1, c } = await pipe('schema_evolution', { subject });
    await p1.send(JSON.stringify({ id: 1 }));
    await register(subject, { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } }, required: ['id'] });
    const p2 = await producer(cluster, { topic, name: 'producer_v2', dispatch: 'reliable', schema: { subject } });
    await p2.send(JSON.stringify({ id: 2, name: 'test' }));
    const [m1, m2] = await take(c, 2);
    expect(JSON.parse(text(m1!))).toEqual({ id: 1 });
    expect(m1!.schemaVersion).toBe(1);
    expect(JSON.parse(text(m2!))).toEqual({ id: 2, name: 'test' });
    expect(m2!.schemaVersion).toBe(2);
  });

  it('an Avro subject: JSON-encoded records arrive with its id', async () => {
    const { schemaId } = await register(
      'avro-user-schema',
      {
        type: 'record',
        name: 'User',
        fields: [
          { name: 'username', type: 'string' },
          { name: 'age', type: 'int' },
          { name: 'active', type: 'boolean' },
        ],
      },
      'avro',
    );
    const { p, c } = await pipe('avro_test', { subject: 'avro-user-schema' });
    await p.send(JSON.stringify({ username: 'alice', age: 30, active: true }));
    const m = await next(c);
    expect(m.schemaId).toBe(schemaId);
    expect(JSON.parse(text(m)).username).toBe('alice');
  });

  it.each<[SchemaType, string, Buffer[]]>([
    ['string', 'log-messages', ['Log entry 1', 'Log entry 2', 'Log entry 3'].map((s) => Buffer.from(s))],
    ['bytes', 'binary-data', [Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe])]],
  ])('a %s subject carries its payloads unchanged', async (type, subject, payloads) => {
    const { schemaId } = await register(subject, '', type);
    const { p, c } = await pipe(`${type}_schema`, { subject });
    for (const body of payloads) await p.send(body);
    const got = await take(c, payloads.length);
    got.forEach((m, i) => {
      expect(Buffer.from(m.payload).equals(payloads[i]!)).toBe(true);
      expect(m.schemaId).toBe(schemaId);
    });
  });

  it('the schema id and version in a message lead back to the registered schema', async () => {
    const { schemaId } = await register('metadata-schema', { type: 'object', properties: { value: { type: 'number' } } });
    const { p, c } = await pipe('schema_metadata', { subject: 'metadata-schema' });
    await p.send(JSON.stringify({ value: 3.14 }));
    const m = await next(c);
    expect(m.schemaId).toBe(schemaId);
    expect(m.schemaVersion).toBe(1);
    expect((await registry.getLatest('metadata-schema')).schemaId).toBe(schemaId);
  });

  it('after a first producer assigned a subject, a producer with another subject is refused', async () => {
    await register('event-schema', { type: 'object', properties: { type: { type: 'string', enum: ['event'] }, data: { type: 'string' } } });
    await register('metric-schema', { type: 'object', properties: { type: { type: 'string', enum: ['metric'] }, value: { type: 'number' } } });
    const { topic } = await pipe('different_subject', { subject: 'event-schema' });
    const second = producer(cluster, { topic, name: 'producer_metric', dispatch: 'reliable', schema: { subject: 'metric-schema' } });
    await expect(second).rejects.toThrow(/event-schema|cannot use/);
  });
});

describe('schema_version_selection', () => {
  const versions = async (subject: string, n: number, extra = (v: number) => ({ [`f${v}`]: { type: 'string' } })) => {
    for (let v = 1; v <= n; v++) {
      await register(subject, { type: 'object', properties: { id: { type: 'integer' }, ...(v > 1 ? extra(v) : {}) }, required: ['id'] });
    }
  };
  const versionOf = async (p: Producer, c: Awaited<ReturnType<typeof pipe>>['c'], body: unknown) => {
    await p.send(JSON.stringify(body));
    return (await next(c)).schemaVersion;
  };

  it('a producer pinned to v1 sends v1 while v2 exists', async () => {
    const subject = `pin-${Date.now()}`;
    await versions(subject, 2);
    const { p, c } = await pipe('pin_version', { subject, version: 1 });
    expect(await versionOf(p, c, { id: 123 })).toBe(1);
  });

  it('a minimum version below the latest uses the latest', async () => {
    const subject = `min-${Date.now()}`;
    await versions(subject, 3);
    const { p, c } = await pipe('min_version', { subject, minVersion: 2 });
    expect(await versionOf(p, c, { id: 456 })).toBeGreaterThanOrEqual(2);
  });

  it('two producers on one topic send different versions', async () => {
    const subject = `two-versions-${Date.now()}`;
    await versions(subject, 2);
    const { topic, p, c } = await pipe('two_versions', { subject, version: 1 });
    const p2 = await producer(cluster, { topic, name: 'producer_v2_pinned', dispatch: 'reliable', schema: { subject, version: 2 } });
    await p.send(JSON.stringify({ id: 1 }));
    await p2.send(JSON.stringify({ id: 2, f2: 'label' }));
    const got = await take(c, 2);
    expect(new Set(got.map((m) => m.schemaVersion))).toEqual(new Set([1, 2]));
  });

  it('a version that does not exist is refused when the producer is created', async () => {
    const subject = `missing-version-${Date.now()}`;
    await versions(subject, 1);
    await expect(
      producer(cluster, { topic: uniqueTopic('/default/invalid_version'), name: 'producer_invalid_version', schema: { subject, version: 99 } }),
    ).rejects.toThrow();
  });

  it('no version given: the latest is used', async () => {
    const subject = `latest-${Date.now()}`;
    await versions(subject, 2);
    const { p, c } = await pipe('latest_version', { subject });
    expect(await versionOf(p, c, { id: 1 })).toBe(2);
  });

  it('a minimum version equal to the latest uses exactly it', async () => {
    const subject = `boundary-${Date.now()}`;
    for (let v = 1; v <= 3; v++) await register(subject, { type: 'object', properties: { v: { type: 'integer', const: v } } });
    await registry.setCompatibilityMode(subject, 'none');
    const { p, c } = await pipe('min_boundary', { subject, minVersion: 3 });
    expect(await versionOf(p, c, { v: 3 })).toBe(3);
  });
});

describe('topic_schema_config', () => {
  it('the first producer with a subject assigns it; another producer of the same subject is accepted', async () => {
    await register('first-schema', { type: 'object', properties: { msg: { type: 'string' } } });
    const { topic } = await pipe('first_assigns', { subject: 'first-schema' });
    await expect(producer(cluster, { topic, name: 'producer_same_subject', dispatch: 'reliable', schema: { subject: 'first-schema' } })).resolves.toBeDefined();
  });

  it('a producer with a different subject is refused', async () => {
    await register('schema-a', { type: 'object', properties: { a: { type: 'string' } } });
    await register('schema-b', { type: 'object', properties: { b: { type: 'integer' } } });
    const { topic } = await pipe('second_fails', { subject: 'schema-a' });
    await expect(producer(cluster, { topic, name: 'producer_schema_b', dispatch: 'reliable', schema: { subject: 'schema-b' } })).rejects.toThrow();
  });

  it('a producer without a schema may still connect to a topic that has one', async () => {
    await register('optional-schema', { type: 'object', properties: { x: { type: 'number' } } });
    const { topic } = await pipe('without_schema', { subject: 'optional-schema' });
    await expect(producer(cluster, { topic, name: 'producer_no_schema', dispatch: 'reliable' })).resolves.toBeDefined();
  });

  it('producers may use different versions of the topic’s subject', async () => {
    const subject = `versions-same-subject-${Date.now()}`;
    await register(subject, { type: 'object', properties: { id: { type: 'integer' } } });
    const { topic } = await pipe('versions_same_subject', { subject, version: 1 });
    await register(subject, { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } });
    await expect(producer(cluster, { topic, name: 'producer_v2_same', dispatch: 'reliable', schema: { subject, version: 2 } })).resolves.toBeDefined();
  });
});
