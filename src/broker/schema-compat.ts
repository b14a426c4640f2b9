// Compatibility rules of the real registry (danube-schema/src/json/json_compatibility.rs),
// applied to JSON Schema and, field by field, to Avro records.

export type CompatibilityMode = 'none' | 'backward' | 'forward' | 'full';

export function parseCompatibilityMode(s: string): CompatibilityMode | undefined {
  const m = s.toLowerCase();
  return m === 'none' || m === 'backward' || m === 'forward' || m === 'full' ? m : undefined;
}

interface Shape {
  props: Map<string, unknown>;
  required: Set<string>;
}

function jsonShape(schema: Record<string, unknown>): Shape {
  const props = new Map<string, unknown>(Object.entries((schema.properties as Record<string, unknown> | undefined) ?? {}));
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  return { props, required };
}

/** Avro record fields as properties; a field without a default is "required". */
function avroShape(schema: Record<string, unknown>): Shape {
  const props = new Map<string, unknown>();
  const required = new Set<string>();
  const fields = Array.isArray(schema.fields) ? (schema.fields as Array<Record<string, unknown>>) : [];
  for (const f of fields) {
    if (typeof f.name !== 'string') continue;
    props.set(f.name, { type: f.type });
    if (!('default' in f)) required.add(f.name);
  }
  return { props, required };
}

const typeOf = (p: unknown): string | undefined => (p && typeof p === 'object' && 'type' in p ? JSON.stringify((p as { type: unknown }).type) : undefined);

function typesCompatible(a: unknown, b: unknown): boolean {
  const ta = typeOf(a);
  const tb = typeOf(b);
  return ta === undefined || tb === undefined || ta === tb;
}

function backward(old: Shape, neu: Shape): string[] {
  const errors: string[] = [];
  for (const f of old.required) if (!neu.props.has(f)) errors.push(`Backward incompatible: removed required field '${f}'`);
  for (const f of neu.required) {
    if (old.props.has(f) && !old.required.has(f)) errors.push(`Backward incompatible: made optional field '${f}' required`);
  }
  for (const [f, p] of old.props) {
    if (neu.props.has(f) && !typesCompatible(p, neu.props.get(f))) errors.push(`Backward incompatible: changed type of field '${f}'`);
  }
  return errors;
}

function forward(old: Shape, neu: Shape): string[] {
  const errors: string[] = [];
  for (const f of neu.required) if (!old.props.has(f)) errors.push(`Forward incompatible: added new required field '${f}'`);
  for (const [f, p] of old.props) {
    if (neu.props.has(f) && !typesCompatible(p, neu.props.get(f))) errors.push(`Forward incompatible: changed type of field '${f}'`);
  }
  return errors;
}

/** Errors that make `next` incompatible with `previous` under `mode` (empty = compatible). */
export function compatibilityErrors(kind: 'json_schema' | 'avro' | 'other', previous: string, next: string, mode: CompatibilityMode): string[] {
  if (mode === 'none' || kind === 'other') return [];
  const shape = kind === 'avro' ? avroShape : jsonShape;
  const old = shape(JSON.parse(previous) as Record<string, unknown>);
  const neu = shape(JSON.parse(next) as Record<string, unknown>);
  if (mode === 'backward') return backward(old, neu);
  if (mode === 'forward') return forward(old, neu);
  const b = backward(old, neu);
  return b.length > 0 ? b : forward(old, neu);
}
