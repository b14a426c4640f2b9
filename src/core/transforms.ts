import { utf8 } from './bytes.js';
import { ConfigError } from './errors.js';
import { validateJsonSchema, type SchemaResolver, type ValidateJsonSchemaOptions } from './json-schema.js';
import type { SinkRecord } from './records.js';

/**
 * A per-record step between the topic and the sink function: returns the record to hand on or
 * throws (`InvalidRecordError` sends only that record to the dead-letter topic).
 */
export type Transform = (record: SinkRecord) => SinkRecord | Promise<SinkRecord>;

/** The names a binding's `transform` list may use. */
export const TRANSFORM_NAMES = ['passthrough', 'json-with-metadata', 'validate-json-schema'] as const;
export type TransformName = (typeof TRANSFORM_NAMES)[number];

/** A transform named in configuration, with its options when it has any. */
export type TransformSpec = TransformName | ({ name: 'validate-json-schema' } & ValidateJsonSchemaOptions);

/** What named transforms need from outside the core. */
export interface TransformDeps {
  /** Looks schemas up in Danube's registry (the relay passes one built on its client). */
  schemaResolver?: SchemaResolver;
}

/** Hands the record on unchanged. */
export const passthrough: Transform = (record) => record;

/** The metadata object `json-with-metadata` adds under this key. */
export const DANUBE_METADATA_KEY = '_danube';

/**
 * Parses the payload as JSON and adds a `_danube` object (topic, partition topic, offset as a
 * string, publishTime, producerName, attributes, key, record id). A payload that is not JSON is an
 * invalid record; a JSON value that is not an object is wrapped as `{ value, _danube }`.
 *
 * @example
 * // {"sku":"A1"} → {"sku":"A1","_danube":{"topic":"/default/orders","offset":"42",...}}
 */
export const jsonWithMetadata: Transform = (record) => {
  const value = record.json<unknown>();
  const metadata = {
    id: record.id,
    topic: record.logicalTopic,
    partitionTopic: record.topic,
    offset: record.offset.toString(),
    publishTime: record.publishTime,
    producerName: record.producerName,
    attributes: record.attributes,
    key: record.routingKey ?? null,
  };
  const body =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? { ...(value as Record<string, unknown>), [DANUBE_METADATA_KEY]: metadata }
      : { value, [DANUBE_METADATA_KEY]: metadata };
  const attributes: Record<string, string> = { ...record.attributes, 'content-type': 'application/json' };
  delete attributes.compression;
  return record.with({ payload: utf8(JSON.stringify(body)), attributes });
};

/**
 * Builds the transforms a binding names, in order. Unknown names and missing dependencies fail
 * at start-up with a {@link ConfigError} naming the entry.
 *
 * @example
 * const transforms = createTransforms(['validate-json-schema', 'json-with-metadata'], { schemaResolver });
 */
export function createTransforms(specs: readonly TransformSpec[], deps: TransformDeps = {}): Transform[] {
  return specs.map((spec, i) => {
    const name = typeof spec === 'string' ? spec : spec?.name;
    switch (name) {
      case 'passthrough':
        return passthrough;
      case 'json-with-metadata':
        return jsonWithMetadata;
      case 'validate-json-schema': {
        if (!deps.schemaResolver)
          throw new ConfigError(`transform[${i}] validate-json-schema needs a schema resolver (Danube schema registry)`, [`transform[${i}]`]);
        const { name: _name, ...options } = typeof spec === 'string' ? { name } : spec;
        return validateJsonSchema(deps.schemaResolver, options);
      }
      default:
        throw new ConfigError(`transform[${i}]: unknown transform ${JSON.stringify(name)} (known: ${TRANSFORM_NAMES.join(', ')})`, [`transform[${i}]`]);
    }
  });
}

/** Runs transforms in order on one record. */
export async function applyTransforms(record: SinkRecord, transforms: readonly Transform[]): Promise<SinkRecord> {
  let current = record;
  for (const t of transforms) current = await t(current);
  return current;
}
