import { describe, expect, it } from 'vitest';
import { unwrapSchemaDefinition } from '../../../src/client/schema-types.js';

const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('unwrapSchemaDefinition', () => {
  it("returns the registered text from the broker's JSON envelopes", () => {
    const raw = '{"type":"object","required":["id"]}';
    expect(unwrapSchemaDefinition(bytes({ JsonSchema: { raw_schema: raw, fingerprint: 'sha256:1' } }))).toBe(raw);
    expect(unwrapSchemaDefinition(bytes({ Avro: { raw_schema: '{"type":"record"}', fingerprint: 'f' } }))).toBe('{"type":"record"}');
    expect(unwrapSchemaDefinition(bytes({ Protobuf: { raw_proto: 'syntax = "proto3";', message_name: 'M', fingerprint: 'f' } }))).toBe('syntax = "proto3";');
  });

  it('returns bare type names and unknown bytes as text', () => {
    expect(unwrapSchemaDefinition(bytes('"String"'))).toBe('String');
    expect(unwrapSchemaDefinition(bytes('syntax = "proto3";'))).toBe('syntax = "proto3";');
    expect(unwrapSchemaDefinition(bytes({ type: 'object' }))).toBe('{"type":"object"}');
  });
});
