import { readFileSync } from 'node:fs';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';
import { ServerlessConfigError } from './options.js';

type Tag = ScalarTag | CollectionTag;

// CloudFormation's short forms (`!Ref X`, `!GetAtt A.B`, `!Sub ...`) become their long forms, so
// a fragment reads like hand-written CloudFormation and lands in the template as plain JSON.
const FUNCTIONS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'Condition',
];

function cfnTags(): Tag[] {
  const tags: Tag[] = [];
  const add = (name: string, toValue: (v: unknown) => unknown) => {
    tags.push({ tag: `!${name}`, collection: 'seq', resolve: (v: unknown) => toValue((v as { toJSON(): unknown }).toJSON()) } as CollectionTag);
    tags.push({ tag: `!${name}`, collection: 'map', resolve: (v: unknown) => toValue((v as { toJSON(): unknown }).toJSON()) } as CollectionTag);
    tags.push({ tag: `!${name}`, resolve: (v: string) => toValue(v) } as ScalarTag);
  };
  for (const fn of FUNCTIONS) add(fn, (v) => (fn === 'Condition' ? { Condition: v } : { [`Fn::${fn}`]: v }));
  add('Ref', (v) => ({ Ref: v }));
  add('GetAtt', (v) => ({ 'Fn::GetAtt': typeof v === 'string' ? v.split('.', 2) : v }));
  return tags;
}

/**
 * Reads a CloudFormation YAML fragment (short-form intrinsics allowed) as plain JSON.
 *
 * @example
 * const { Resources } = loadCfnYaml('infra/relay-service.yml');
 */
export function loadCfnYaml(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ServerlessConfigError(`cannot read ${path}: ${(err as Error).message}`, [], { cause: err });
  }
  const doc = parse(text, { customTags: cfnTags() }) as unknown;
  if (!doc || typeof doc !== 'object') throw new ServerlessConfigError(`${path} is not a CloudFormation fragment`);
  return doc as Record<string, unknown>;
}

/**
 * Replaces every string that is exactly `{{key}}` with `values[key]` (any JSON value), so a
 * fragment can take numbers, lists and objects from the plugin. A placeholder without a value is
 * an error naming it.
 *
 * @example
 * fill({ DesiredCount: '{{desiredCount}}' }, { desiredCount: 2 }); // { DesiredCount: 2 }
 */
export function fill<T>(value: T, values: Record<string, unknown>, source = 'fragment'): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const m = /^\{\{\s*([A-Za-z0-9_]+)\s*\}\}$/.exec(v);
      if (!m) return v;
      if (!(m[1]! in values)) throw new ServerlessConfigError(`${source}: no value for placeholder {{${m[1]}}}`);
      return values[m[1]!];
    }
    if (Array.isArray(v)) return v.map(walk).filter((x) => x !== undefined);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) {
        const filled = walk(inner);
        // A placeholder filled with undefined removes its key: optional settings stay optional.
        if (filled !== undefined) out[k] = filled;
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
