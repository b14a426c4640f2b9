import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createTransforms,
  InvalidRecordError,
  jsonWithMetadata,
  passthrough,
  RetryableError,
  SinkRecord,
  utf8,
  validateJsonSchema,
  type ResolvedSchema,
} from '../../../src/core/index.js';

const record = (payload: string, extra: Partial<ConstructorParameters<typeof SinkRecord>[0]> = {}) =>
  new SinkRecord({
    topic: '/default/orders-part-0',
    offset: 9n,
    publishTime: 1763800000000,
    producerName: 'src',
    attributes: { origin: 'pg' },
    routingKey: 'cust-7',
    payload: utf8(payload),
    ...extra,
  });

const orderSchema = JSON.stringify({
  type: 'object',
  required: ['sku', 'qty'],
  properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } },
});

describe('transforms', () => {
  it('passthrough hands the record on', () => {
    const r = record('{}');
    expect(passthrough(r)).toBe(r);
  });

  it('json-with-metadata adds a _danube object', async () => {
    const out = await jsonWithMetadata(record('{"sku":"A1"}'));
    expect(out.json()).toEqual({
      sku: 'A1',
      _danube: {
        id: '/default/orders-part-0@9',
        topic: '/default/orders',
        partitionTopic: '/default/orders-part-0',
        offset: '9',
        publishTime: 1763800000000,
        producerName: 'src',
        attributes: { origin: 'pg' },
        key: 'cust-7',
      },
    });
    expect((await jsonWithMetadata(record('[1,2]'))).json<{ value: number[] }>().value).toEqual([1, 2]);
    expect(() => jsonWithMetadata(record('nope'))).toThrow(InvalidRecordError);
  });

  it('validate-json-schema: valid records pass, invalid ones are InvalidRecordError; compiled once', async () => {
    let lookups = 0;
    const resolver = async (id: bigint, version?: number): Promise<ResolvedSchema> => {
      lookups++;
      expect([id, version]).toEqual([3n, 1]);
      return { type: 'json_schema', definition: orderSchema };
    };
    const [check] = createTransforms(['validate-json-schema'], { schemaResolver: resolver });
    const good = record('{"sku":"A1","qty":2}', { schemaId: 3n, schemaVersion: 1 });
    expect(await check!(good)).toBe(good);
    const bad = record('{"sku":"A1","qty":0}', { schemaId: 3n, schemaVersion: 1 });
    await expect(check!(bad)).rejects.toThrow(/does not match schema 3 v1: \/qty must be >= 1/);
    await expect(check!(bad)).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(check!(record('{"qty":1}', { schemaId: 3n, schemaVersion: 1 }))).rejects.toThrow(/must have required property 'sku'/);
    expect(lookups).toBe(1);
    await expect(check!(record('{}'))).rejects.toThrow(/names no schema/);
  });

  it('validate-json-schema: registry failures are retryable and not cached; 2020-12 schemas work', async () => {
    let calls = 0;
    const check = validateJsonSchema(
      async () => {
        if (++calls === 1) throw new Error('registry down');
        return {
          type: 'json_schema',
          definition: JSON.stringify({
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            type: 'object',
            prefixItems: [{ type: 'string' }],
            required: ['a'],
          }),
        };
      },
      { schemaId: '5' },
    );
    await expect(check(record('{"a":1}'))).rejects.toBeInstanceOf(RetryableError);
    expect((await check(record('{"a":1}'))).id).toBe('/default/orders-part-0@9');
    await expect(check(record('{"b":1}'))).rejects.toBeInstanceOf(InvalidRecordError);
    const avro = validateJsonSchema(async () => ({ type: 'avro', definition: '{}' }), { schemaId: 1n });
    expect((await avro(record('binary'))).text()).toBe('binary');
  });

  it('unknown names and missing resolvers fail at start-up, naming the entry', () => {
    expect(() => createTransforms(['passthrough', 'uppercase' as never])).toThrow(/transform\[1\]: unknown transform "uppercase"/);
    expect(() => createTransforms(['validate-json-schema'])).toThrow(ConfigError);
  });
});
