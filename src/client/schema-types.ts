/** Schema types the registry knows (the broker also accepts a few aliases such as `json`). */
export type SchemaType = 'bytes' | 'string' | 'number' | 'avro' | 'json_schema' | 'protobuf';

const decoder = new TextDecoder();

/**
 * The broker answers GetSchema with its internal enum serialised as JSON, not the registered
 * bytes: `{"JsonSchema":{"raw_schema":"…","fingerprint":"…"}}`, `{"Avro":{…}}`,
 * `{"Protobuf":{"raw_proto":"…",…}}`, or a bare `"String"`/`"Bytes"`/`"Number"`. This returns the
 * schema text as it was registered; bytes that are not such an envelope are returned as text.
 *
 * @example
 * unwrapSchemaDefinition(Buffer.from('{"JsonSchema":{"raw_schema":"{\\"type\\":\\"object\\"}"}}'));
 * // → '{"type":"object"}'
 */
export function unwrapSchemaDefinition(bytes: Uint8Array): string {
  const text = decoder.decode(bytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof parsed === 'string') return parsed;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return text;
  const keys = Object.keys(parsed);
  if (keys.length !== 1) return text;
  const inner = (parsed as Record<string, unknown>)[keys[0]!];
  if (typeof inner !== 'object' || inner === null) return text;
  const fields = inner as Record<string, unknown>;
  if (typeof fields.raw_schema === 'string') return fields.raw_schema;
  if (typeof fields.raw_proto === 'string') return fields.raw_proto;
  return text;
}
