import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import type { SchemaRegistryClient } from '../../../src/generated/danube/SchemaRegistry.js';
import { Wire } from './harness.js';

let broker: Broker;
let wire: Wire;

beforeAll(async () => {
  broker = await startBroker({ port: 0 });
  wire = new Wire(broker.url);
});
afterAll(async () => {
  wire.close();
  await broker.close();
});

/** Calls one SchemaRegistry method through the generated stub. */
function rpc<R>(method: keyof SchemaRegistryClient, req: object): Promise<R> {
  const client = wire.schema as unknown as Record<string, (r: object, cb: (e: ServiceError | null, res: R) => void) => void>;
  return new Promise((resolve, reject) => client[method]!.call(wire.schema, req, (e, res) => (e ? reject(e) : resolve(res))));
}

const v1 = { type: 'object', properties: { id: { type: 'string' }, amount: { type: 'number' } }, required: ['id'] };
const v2 = { ...v1, properties: { ...v1.properties, note: { type: 'string' } } };
const register = (subject: string, schema: unknown, schemaType = 'json_schema') =>
  rpc<{ schemaId: bigint; version: number; isNewVersion: boolean; fingerprint: string }>('registerSchema', {
    subject,
    schemaType,
    schemaDefinition: Buffer.from(JSON.stringify(schema)),
    description: 'd',
    createdBy: 'test',
    tags: ['t'],
  });

describe('schema registry', () => {
  it('registers versions, deduplicates identical schemas by fingerprint and keeps one id per subject', async () => {
    const a = await register('orders', v1);
    expect(a).toMatchObject({ version: 1, isNewVersion: true });
    expect(a.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    // same schema, other key order and spacing → same fingerprint, no new version
    const again = await rpc<{ version: number; isNewVersion: boolean }>('registerSchema', {
      subject: 'orders',
      schemaType: 'json',
      schemaDefinition: Buffer.from('{ "required": ["id"], "type": "object", "properties": {"amount": {"type":"number"}, "id": {"type":"string"}} }'),
      description: '',
      createdBy: '',
      tags: [],
    });
    expect(again).toMatchObject({ version: 1, isNewVersion: false });
    const b = await register('orders', v2);
    expect(b).toMatchObject({ schemaId: a.schemaId, version: 2, isNewVersion: true });
    const versions = await rpc<{ versions: Array<{ version: number; schemaId: bigint }> }>('listVersions', { subject: 'orders' });
    expect(versions.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('answers GetSchema with the definition wrapped as the real broker serialises it', async () => {
    const { schemaId } = await register('wrapped', v1);
    const res = await rpc<{ schemaDefinition: Buffer; schemaType: string; version: number; compatibilityMode: string }>('getSchema', { schemaId, version: 1 });
    expect(res.schemaType).toBe('json_schema');
    expect(res.compatibilityMode).toBe('backward');
    const def = JSON.parse(Buffer.from(res.schemaDefinition).toString());
    expect(JSON.parse(def.JsonSchema.raw_schema)).toEqual(v1);
    expect(def.JsonSchema.fingerprint).toMatch(/^sha256:/);
    const latest = await rpc<{ version: number; schemaId: bigint }>('getLatestSchema', { subject: 'wrapped' });
    expect(latest).toMatchObject({ version: 1, schemaId });
    const str = await register('plain-string', null, 'string');
    const s = await rpc<{ schemaDefinition: Buffer }>('getSchema', { schemaId: str.schemaId });
    expect(Buffer.from(s.schemaDefinition).toString()).toBe('"String"');
    await expect(rpc('getSchema', { schemaId: 999n })).rejects.toMatchObject({ code: status.NOT_FOUND, details: 'Schema not found for ID: 999' });
    await expect(rpc('getLatestSchema', { subject: 'nope' })).rejects.toMatchObject({ code: status.NOT_FOUND, details: 'Schema not found for subject: nope' });
    await expect(rpc('listVersions', { subject: 'nope' })).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('refuses a backward-incompatible version (default mode) with INTERNAL, and reports it on CheckCompatibility', async () => {
    await register('compat', v1);
    const breaking = { ...v1, required: ['id', 'amount'] };
    await expect(register('compat', breaking)).rejects.toMatchObject({
      code: status.INTERNAL,
      details:
        "Failed to register schema: Schema is not compatible with subject 'compat' (mode: Backward): Backward incompatible: made optional field 'amount' required",
    });
    const check = await rpc<{ isCompatible: boolean; errors: string[] }>('checkCompatibility', {
      subject: 'compat',
      schemaType: 'json_schema',
      newSchemaDefinition: Buffer.from(JSON.stringify(breaking)),
    });
    expect(check).toEqual({ isCompatible: false, errors: ["Backward incompatible: made optional field 'amount' required"] });
    const none = await rpc<{ isCompatible: boolean }>('checkCompatibility', {
      subject: 'compat',
      schemaType: 'json_schema',
      newSchemaDefinition: Buffer.from(JSON.stringify(breaking)),
      compatibilityMode: 'none',
    });
    expect(none.isCompatible).toBe(true);
    await rpc('setCompatibilityMode', { subject: 'compat', compatibilityMode: 'NONE' });
    await expect(register('compat', breaking)).resolves.toMatchObject({ version: 2 });
    await expect(rpc('setCompatibilityMode', { subject: 'compat', compatibilityMode: 'sideways' })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(register('bad', '{not json', 'json_schema')).rejects.toMatchObject({ code: status.INTERNAL });
  });

  it('lists subjects', async () => {
    const res = await rpc<{ subjects: Array<{ subject: string; latestVersion: number }> }>('listSubjects', {});
    expect(res.subjects.map((s) => s.subject)).toEqual(expect.arrayContaining(['orders', 'wrapped', 'compat']));
    expect(res.subjects.find((s) => s.subject === 'orders')!.latestVersion).toBe(2);
  });

  it('assigns a schema subject to a topic through its first producer and enforces it when configured', async () => {
    const { schemaId } = await register('payments', v1);
    const topic = '/default/payments';
    await expect(wire.createProducer(topic, 'p', false, { schemaRef: { subject: 'missing', useLatest: true } })).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
    });
    const pid = await wire.createProducer(topic, 'p', false, { schemaRef: { subject: 'payments', useLatest: true } });
    await expect(wire.createProducer(topic, 'q', false, { schemaRef: { subject: 'orders', useLatest: true } })).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
      details: "Topic '/default/payments' uses schema subject 'payments', cannot use 'orders'. Only admin can change topic schema.",
    });
    const cfg = await rpc<{ schemaSubject: string; validationPolicy: string; schemaId: bigint }>('getTopicSchemaConfig', { topicName: topic });
    expect(cfg).toMatchObject({ schemaSubject: 'payments', validationPolicy: 'none', schemaId });
    await rpc('configureTopicSchema', { topicName: topic, schemaSubject: 'payments', validationPolicy: 'enforce', enablePayloadValidation: true });
    await expect(wire.send(pid, topic, '{"id":"1"}')).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    await wire.send(pid, topic, '{"id":"1","amount":3}', { schemaId, schemaVersion: 1 });
    await expect(wire.send(pid, topic, '{"amount":3}', { schemaId, schemaVersion: 1 })).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    await rpc('updateTopicValidationPolicy', { topicName: topic, validationPolicy: 'warn', enablePayloadValidation: false });
    await wire.send(pid, topic, 'anything');
    await expect(rpc('updateTopicValidationPolicy', { topicName: topic, validationPolicy: 'strict', enablePayloadValidation: false })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
  });
});
