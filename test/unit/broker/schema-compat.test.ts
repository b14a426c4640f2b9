import { describe, expect, it } from 'vitest';
import { compatibilityErrors, parseCompatibilityMode } from '../../../src/broker/schema-compat.js';

const json = (o: unknown) => JSON.stringify(o);
const base = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name'] };

describe('schema compatibility rules (the real registry’s)', () => {
  it('backward: adding an optional field is fine; removing a required one or requiring an optional one is not', () => {
    const added = { ...base, properties: { ...base.properties, email: { type: 'string' } } };
    expect(compatibilityErrors('json_schema', json(base), json(added), 'backward')).toEqual([]);
    expect(compatibilityErrors('json_schema', json(base), json({ type: 'object', properties: { age: { type: 'integer' } } }), 'backward')).toEqual([
      "Backward incompatible: removed required field 'name'",
    ]);
    expect(compatibilityErrors('json_schema', json(base), json({ ...base, required: ['name', 'age'] }), 'backward')).toEqual([
      "Backward incompatible: made optional field 'age' required",
    ]);
  });

  it('forward: a new required field is not fine; a changed type breaks both ways', () => {
    const newRequired = { ...base, properties: { ...base.properties, id: { type: 'string' } }, required: ['name', 'id'] };
    expect(compatibilityErrors('json_schema', json(base), json(newRequired), 'forward')).toEqual(["Forward incompatible: added new required field 'id'"]);
    expect(compatibilityErrors('json_schema', json(base), json(newRequired), 'backward')).toEqual([]);
    const retyped = { ...base, properties: { ...base.properties, age: { type: 'string' } } };
    expect(compatibilityErrors('json_schema', json(base), json(retyped), 'full')).toEqual(["Backward incompatible: changed type of field 'age'"]);
    expect(compatibilityErrors('json_schema', json(base), json(retyped), 'none')).toEqual([]);
  });

  it('applies the same rules to Avro record fields (no default = required)', () => {
    const v1 = { type: 'record', name: 'R', fields: [{ name: 'id', type: 'string' }] };
    const withDefault = { ...v1, fields: [...v1.fields, { name: 'n', type: 'int', default: 0 }] };
    const withoutDefault = { ...v1, fields: [...v1.fields, { name: 'n', type: 'int' }] };
    expect(compatibilityErrors('avro', json(v1), json(withDefault), 'full')).toEqual([]);
    expect(compatibilityErrors('avro', json(v1), json(withoutDefault), 'forward')).toEqual(["Forward incompatible: added new required field 'n'"]);
  });

  it('parses modes case-insensitively', () => {
    expect(parseCompatibilityMode('FULL')).toBe('full');
    expect(parseCompatibilityMode('sideways')).toBeUndefined();
  });
});
