// Scenarios of schema_registry_basic.rs and schema_compatibility.rs, through our client's
// schema registry (client port) and producers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompatibilityMode, SchemaRegistry, SchemaType } from '../../../../src/client/index.js';
import { attached, consumer, next, producer, startCluster, uniqueTopic, type Cluster } from './helpers.js';

let cluster: Cluster;
let registry: SchemaRegistry;
beforeAll(async () => {
  cluster = await startCluster();
  registry = cluster.client.schemaRegistry;
});
afterAll(() => cluster.close());

const register = (subject: string, definition: string, type: SchemaType = 'json_schema') => registry.register({ subject, type, definition });
const obj = (props: Record<string, string>, required: string[]) =>
  JSON.stringify({ type: 'object', properties: Object.fromEntries(Object.entries(props).map(([k, t]) => [k, { type: t }])), required });

describe('schema_registry_basic', () => {
  it('JSON Schema, Avro, String and Bytes schemas register and read back by subject', async () => {
    const json = await register('user-events-json', JSON.stringify({ type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } } }));
    const avro = await register(
      'user-events-avro',
      JSON.stringify({
        type: 'record',
        name: 'User',
        fields: [
          { name: 'name', type: 'string' },
          { name: 'age', type: 'int' },
        ],
      }),
      'avro',
    );
    await register('log-events-string', '', 'string');
    await register('binary-events', '', 'bytes');
    const latestJson = await registry.getLatest('user-events-json');
    expect(latestJson.schemaId).toBe(json.schemaId);
    expect(latestJson.version).toBe(1);
    expect((await registry.getLatest('user-events-avro')).schemaId).toBe(avro.schemaId);
  });

  it('a producer naming a registered subject is created and sends', async () => {
    await register('test-registered-schema', JSON.stringify({ type: 'object', properties: { msg: { type: 'string' } } }));
    const p = await producer(cluster, {
      topic: uniqueTopic('/default/schema_registered'),
      name: 'producer_registered',
      schema: { subject: 'test-registered-schema' },
    });
    await expect(p.send(JSON.stringify({ msg: 'hello' }))).resolves.toBeDefined();
  });

  it('a producer naming an unregistered subject is refused, saying it was not found', async () => {
    const created = producer(cluster, {
      topic: uniqueTopic('/default/schema_unregistered'),
      name: 'producer_unregistered',
      schema: { subject: 'non-existent-schema' },
    });
    await expect(created).rejects.toThrow(/not found/);
  });

  it('a producer without a schema sends raw bytes', async () => {
    const p = await producer(cluster, { topic: uniqueTopic('/default/schema_none'), name: 'producer_no_schema' });
    await expect(p.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]))).resolves.toBeDefined();
  });

  it('a second version keeps the subject’s schema id and becomes the latest', async () => {
    const subject = 'user-profile-evolution';
    const v1 = await register(subject, JSON.stringify({ type: 'object', properties: { name: { type: 'string' } } }));
    const v2 = await register(subject, JSON.stringify({ type: 'object', properties: { name: { type: 'string' }, email: { type: 'string' } } }));
    expect(v2.schemaId).toBe(v1.schemaId);
    const latest = await registry.getLatest(subject);
    expect(latest.schemaId).toBe(v1.schemaId);
    expect(latest.version).toBe(2);
  });

  it('messages carry the schema id and version the producer resolved', async () => {
    const { schemaId } = await register('metadata-test-schema', JSON.stringify({ type: 'object', properties: { data: { type: 'string' } } }));
    const topic = uniqueTopic('/default/schema_metadata');
    const p = await producer(cluster, { topic, name: 'producer_metadata', schema: { subject: 'metadata-test-schema' } });
    const c = await consumer(cluster, { topic, subscription: 'sub_metadata', type: 'exclusive', dispatch: 'non-reliable' });
    await attached(cluster, topic, 'sub_metadata');
    await p.send(JSON.stringify({ data: 'test' }));
    const m = await next(c);
    expect(m.schemaId).toBe(schemaId);
    expect(m.schemaVersion).toBe(1);
  });

  it('two producers share one subject', async () => {
    await register('shared-schema', JSON.stringify({ type: 'object', properties: { value: { type: 'integer' } } }));
    const topic = uniqueTopic('/default/schema_shared');
    const p1 = await producer(cluster, { topic, name: 'producer_shared_1', schema: { subject: 'shared-schema' } });
    const p2 = await producer(cluster, { topic, name: 'producer_shared_2', schema: { subject: 'shared-schema' } });
    await p1.send(JSON.stringify({ value: 1 }));
    await p2.send(JSON.stringify({ value: 2 }));
  });
});

describe('schema_compatibility', () => {
  const evolve = async (subject: string, mode: CompatibilityMode, v1: string, v2: string, type: SchemaType = 'json_schema') => {
    await register(subject, v1, type);
    await registry.setCompatibilityMode(subject, mode);
    return register(subject, v2, type);
  };

  it('backward: adding an optional field is accepted', async () => {
    await expect(
      evolve('backward-add-field', 'backward', obj({ name: 'string' }, ['name']), obj({ name: 'string', email: 'string' }, ['name'])),
    ).resolves.toMatchObject({ version: 2 });
  });

  it('backward: removing a required field is refused', async () => {
    await expect(
      evolve('backward-remove-field', 'backward', obj({ name: 'string', age: 'integer' }, ['name', 'age']), obj({ name: 'string' }, ['name'])),
    ).rejects.toThrow();
  });

  it('forward: removing an optional field is accepted', async () => {
    await expect(
      evolve('forward-remove-field', 'forward', obj({ name: 'string', nickname: 'string' }, ['name']), obj({ name: 'string' }, ['name'])),
    ).resolves.toMatchObject({ version: 2 });
  });

  it('forward: adding a required field is refused', async () => {
    await expect(
      evolve('forward-add-required', 'forward', obj({ name: 'string' }, ['name']), obj({ name: 'string', email: 'string' }, ['name', 'email'])),
    ).rejects.toThrow();
  });

  it('full: an optional field may be added, a required one may not be removed', async () => {
    const subject = 'full-compat';
    await expect(
      evolve(
        subject,
        'full',
        obj({ id: 'integer', name: 'string' }, ['id', 'name']),
        obj({ id: 'integer', name: 'string', description: 'string' }, ['id', 'name']),
      ),
    ).resolves.toMatchObject({ version: 2 });
    await expect(register(subject, obj({ id: 'integer' }, ['id']))).rejects.toThrow();
  });

  it('none: any change is accepted', async () => {
    await expect(evolve('none-compat', 'none', obj({ name: 'string' }, ['name']), obj({ age: 'integer' }, ['age']))).resolves.toMatchObject({ version: 2 });
  });

  it('Avro, backward: a field with a default may be added', async () => {
    const v1 = JSON.stringify({ type: 'record', name: 'User', fields: [{ name: 'name', type: 'string' }] });
    const v2 = JSON.stringify({
      type: 'record',
      name: 'User',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'age', type: 'int', default: 0 },
      ],
    });
    await expect(evolve('avro-backward', 'backward', v1, v2, 'avro')).resolves.toMatchObject({ version: 2 });
  });

  it('CheckCompatibility answers without registering', async () => {
    const subject = 'check-before-register';
    await register(subject, obj({ id: 'integer' }, ['id']));
    await registry.setCompatibilityMode(subject, 'backward');
    expect((await registry.checkCompatibility({ subject, type: 'json_schema', definition: obj({ id: 'integer', name: 'string' }, ['id']) })).compatible).toBe(
      true,
    );
    expect((await registry.checkCompatibility({ subject, type: 'json_schema', definition: obj({ name: 'string' }, ['name']) })).compatible).toBe(false);
    expect((await registry.getLatest(subject)).version).toBe(1);
  });

  it('three versions, each adding an optional field, all accepted', async () => {
    const subject = 'multi-version';
    await register(subject, obj({ id: 'integer' }, ['id']));
    await registry.setCompatibilityMode(subject, 'backward');
    await register(subject, obj({ id: 'integer', name: 'string' }, ['id']));
    await expect(register(subject, obj({ id: 'integer', name: 'string', email: 'string' }, ['id']))).resolves.toMatchObject({ version: 3 });
  });
});
