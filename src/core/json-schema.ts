import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { FatalError, InvalidRecordError, RetryableError } from './errors.js';
import type { SinkRecord } from './records.js';

/** A schema as Danube's registry returns it. */
export interface ResolvedSchema {
  /** Registry type, e.g. `json_schema`, `avro`, `protobuf`, `string`, `bytes`. */
  type: string;
  /** The schema text (for `json_schema`: JSON Schema as JSON text). */
  definition: string;
}

/**
 * Looks a schema up by id (and version; latest when absent). The core imports no client; the
 * relay or the function passes one built on `client.schemaRegistry`.
 */
export type SchemaResolver = (schemaId: bigint, version?: number) => Promise<ResolvedSchema>;

export interface ValidateJsonSchemaOptions {
  /** Validate every record against this schema instead of the one the record names. */
  schemaId?: bigint | string;
  version?: number;
  /** Records that name no schema (and no `schemaId` above): `invalid` (default) or `pass`. */
  missingSchema?: 'invalid' | 'pass';
}

type Compiled = { validate?: ValidateFunction; skip?: true };

/**
 * A transform that validates JSON payloads against the JSON Schema the record was published
 * with (its schema id and version), fetched from the registry once and compiled once per
 * (id, version). A payload that does not validate is an {@link InvalidRecordError} listing the
 * first problems; records of a non-JSON schema type pass untouched.
 *
 * @example
 * const check = validateJsonSchema((id, v) => registry.getSchema(id, v));
 * export const sink = defineSink(handler, { transforms: [check] });
 */
export function validateJsonSchema(resolve: SchemaResolver, options: ValidateJsonSchemaOptions = {}): (record: SinkRecord) => Promise<SinkRecord> {
  const cache = new Map<string, Promise<Compiled>>();
  const fixedId = options.schemaId === undefined ? undefined : BigInt(options.schemaId);

  const compiled = (id: bigint, version: number | undefined): Promise<Compiled> => {
    const key = `${id}:${version ?? 'latest'}`;
    let entry = cache.get(key);
    if (!entry) {
      entry = compile(resolve, id, version);
      // A failed lookup (registry down) must not stick: drop it so the next record asks again.
      entry.catch(() => cache.delete(key));
      cache.set(key, entry);
    }
    return entry;
  };

  return async (record) => {
    const id = fixedId ?? record.schema?.id;
    const version = fixedId !== undefined ? options.version : record.schema?.version;
    if (id === undefined) {
      if (options.missingSchema === 'pass') return record;
      throw new InvalidRecordError(`record ${record.id} names no schema to validate against`, { record });
    }
    const { validate } = await compiled(id, version);
    if (!validate) return record;
    const value = record.json<unknown>();
    if (!validate(value)) {
      const problems = (validate.errors ?? [])
        .slice(0, 5)
        .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
        .join('; ');
      throw new InvalidRecordError(`record ${record.id} does not match schema ${id}${version === undefined ? '' : ` v${version}`}: ${problems}`, { record });
    }
    return record;
  };
}

async function compile(resolve: SchemaResolver, id: bigint, version: number | undefined): Promise<Compiled> {
  let schema: ResolvedSchema;
  try {
    schema = await resolve(id, version);
  } catch (err) {
    throw new RetryableError(`schema ${id} could not be fetched from the registry`, { cause: err });
  }
  const type = schema.type.toLowerCase().replace(/[^a-z]/g, '');
  if (type !== 'jsonschema' && type !== 'json') return { skip: true };
  let definition: Record<string, unknown>;
  try {
    definition = JSON.parse(schema.definition) as Record<string, unknown>;
  } catch (err) {
    throw new FatalError(`schema ${id} in the registry is not valid JSON`, { cause: err });
  }
  const draft = typeof definition.$schema === 'string' ? definition.$schema : '';
  const ajv = draft.includes('2020-12')
    ? new Ajv2020({ allErrors: true, strict: false })
    : draft.includes('2019-09')
      ? new Ajv2019({ allErrors: true, strict: false })
      : new Ajv({ allErrors: true, strict: false });
  try {
    return { validate: ajv.compile(definition) };
  } catch (err) {
    throw new FatalError(`schema ${id} in the registry does not compile: ${(err as Error).message}`, { cause: err });
  }
}
