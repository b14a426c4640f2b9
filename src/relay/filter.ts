import type { FieldPattern, FilterConfig } from './config-schema.js';

/** What a filter looks at: a record's attributes, routing key and payload. */
export interface FilterableRecord {
  attributes: Record<string, string>;
  routingKey?: string;
  payload: Uint8Array;
}

export type RecordFilter = (record: FilterableRecord) => boolean;

const decoder = new TextDecoder('utf-8', { fatal: true });
const NO_JSON = Symbol('not json');

/**
 * Compiles a binding's `filter` into a predicate: a record passes when any filter matches, and a
 * filter matches when every field it names matches. Fields: `attributes.<name>`, `routingKey`, and
 * `json.<dotted.path>` into the payload (a payload that is not JSON matches no `json` pattern).
 * Patterns: an exact value, a glob string (`*`, `?`), a list of alternatives, `{ exists }`,
 * `{ prefix }`, `{ numeric: [op, n] }`.
 *
 * @example
 * const keep = compileFilter({ attributes: { type: 'order.*' }, json: { 'order.total': { numeric: ['>', 100] } } });
 * keep({ attributes: { type: 'order.created' }, payload }) // true when the total is over 100
 */
export function compileFilter(filter: FilterConfig | FilterConfig[] | undefined): RecordFilter {
  if (!filter) return () => true;
  const filters = Array.isArray(filter) ? filter : [filter];
  const compiled = filters.map(compileOne);
  return (record) => {
    let json: unknown = undefined;
    let parsed = false;
    const payloadJson = (): unknown => {
      if (!parsed) {
        parsed = true;
        try {
          json = JSON.parse(decoder.decode(record.payload));
        } catch {
          json = NO_JSON;
        }
      }
      return json;
    };
    return compiled.some((f) => f(record, payloadJson));
  };
}

type Compiled = (record: FilterableRecord, json: () => unknown) => boolean;

function compileOne(filter: FilterConfig): Compiled {
  const checks: Compiled[] = [];
  for (const [name, pattern] of Object.entries(filter.attributes ?? {})) {
    const match = compilePattern(pattern);
    checks.push((r) => match(Object.hasOwn(r.attributes, name) ? r.attributes[name] : undefined));
  }
  if (filter.routingKey !== undefined) {
    const match = compilePattern(filter.routingKey);
    checks.push((r) => match(r.routingKey));
  }
  for (const [path, pattern] of Object.entries(filter.json ?? {})) {
    const match = compilePattern(pattern);
    const steps = path.split('.');
    checks.push((_, json) => {
      const doc = json();
      if (doc === NO_JSON) return false;
      return match(walk(doc, steps));
    });
  }
  return (record, json) => checks.every((c) => c(record, json));
}

function walk(doc: unknown, steps: string[]): unknown {
  let cur: unknown = doc;
  for (const step of steps) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, step)) return undefined;
    cur = (cur as Record<string, unknown>)[step];
  }
  return cur;
}

type ValueMatch = (value: unknown) => boolean;

function compilePattern(pattern: FieldPattern): ValueMatch {
  if (Array.isArray(pattern)) {
    const options = pattern.map((p) => compilePattern(p));
    return (v) => options.some((o) => o(v));
  }
  if (pattern === null) return (v) => v === null;
  if (typeof pattern === 'number' || typeof pattern === 'boolean') {
    // Attributes are strings, so `5` also matches the attribute "5".
    return (v) => v === pattern || (typeof v === 'string' && v === String(pattern));
  }
  if (typeof pattern === 'string') {
    if (!/[*?]/.test(pattern)) return (v) => v === pattern || (typeof v !== 'object' && v !== undefined && String(v) === pattern);
    const re = globToRegExp(pattern);
    return (v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && re.test(String(v));
  }
  if ('exists' in pattern) return (v) => (v !== undefined) === pattern.exists;
  if ('prefix' in pattern) return (v) => typeof v === 'string' && v.startsWith(pattern.prefix);
  const [op, n] = pattern.numeric;
  return (v) => {
    const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isNaN(x)) return false;
    switch (op) {
      case '<':
        return x < n;
      case '<=':
        return x <= n;
      case '=':
        return x === n;
      case '>=':
        return x >= n;
      case '>':
        return x > n;
    }
  };
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}
