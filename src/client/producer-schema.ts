import { SchemaError } from './errors.js';
import type { ProducerSchemaOptions } from './producer-options.js';
import type { SchemaLookup } from './context.js';

/**
 * The `(schema_id, schema_version)` a producer stamps on its messages, resolved once at create
 * time as the Rust client does: latest by default; a pinned version must not be newer than the
 * latest (and is fetched by id + version); a minimum version must be met by the latest.
 */
export async function resolveSchema(registry: SchemaLookup, schema: ProducerSchemaOptions): Promise<{ schemaId: bigint; version: number }> {
  const latest = await registry.getLatest(schema.subject);
  if (schema.version !== undefined) {
    if (schema.version > latest.version) {
      throw new SchemaError(`schema "${schema.subject}" has no version ${schema.version} (latest is ${latest.version})`, { retryable: false });
    }
    const pinned = await registry.getSchema(latest.schemaId, schema.version);
    return { schemaId: pinned.schemaId, version: pinned.version };
  }
  if (schema.minVersion !== undefined && latest.version < schema.minVersion) {
    throw new SchemaError(`schema "${schema.subject}" is at version ${latest.version}, below the required ${schema.minVersion}`, { retryable: false });
  }
  return { schemaId: latest.schemaId, version: latest.version };
}
