import { ConfigError } from './errors.js';

/** One option: its default and a check that returns what is wrong, or undefined. */
export interface OptionRule<T> {
  default: T;
  check: (value: unknown) => string | undefined;
}

type Parsed<S extends Record<string, OptionRule<unknown>>> = { [K in keyof S]: S[K]['default'] };

/**
 * A dependency-free sibling of `parseWithSchema` for code that ends up in Worker bundles, where
 * zod alone would weigh ~450 KB: fills defaults and rejects unknown or wrong keys, naming them.
 *
 * @example
 * const opts = checkOptions(input, { concurrency: intRule(1, 1) }, 'forEachRecord options');
 */
export function checkOptions<S extends Record<string, OptionRule<unknown>>>(input: unknown, rules: S, what: string): Parsed<S> {
  const given = (input ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const keys: string[] = [];
  if (typeof given !== 'object' || Array.isArray(given)) throw new ConfigError(`invalid ${what}: must be an object`, ['(root)']);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    if (!(key in rules)) {
      keys.push(key);
      problems.push(`${key}: unknown key`);
    }
  }
  for (const [key, rule] of Object.entries(rules)) {
    const value = given[key];
    if (value === undefined) {
      out[key] = rule.default;
      continue;
    }
    const problem = rule.check(value);
    if (problem) {
      keys.push(key);
      problems.push(`${key}: ${problem}`);
    }
    out[key] = value;
  }
  if (problems.length > 0) throw new ConfigError(`invalid ${what}: ${problems.join('; ')}`, keys);
  return out as Parsed<S>;
}

/** An integer in [min, max]. */
export function intRule(defaultValue: number, min: number, max = Number.MAX_SAFE_INTEGER): OptionRule<number> {
  return { default: defaultValue, check: (v) => (Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? undefined : `must be an integer from ${min} to ${max}`) };
}

/** A finite number ≥ min. */
export function numberRule(defaultValue: number, min: number): OptionRule<number> {
  return { default: defaultValue, check: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= min ? undefined : `must be a number ≥ ${min}`) };
}

export function booleanRule(defaultValue: boolean): OptionRule<boolean> {
  return { default: defaultValue, check: (v) => (typeof v === 'boolean' ? undefined : 'must be true or false') };
}

export function stringRule(defaultValue: string): OptionRule<string> {
  return { default: defaultValue, check: (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'must be a non-empty string') };
}

/** An array of functions. */
export function functionsRule<F>(defaultValue: F[]): OptionRule<F[]> {
  return { default: defaultValue, check: (v) => (Array.isArray(v) && v.every((f) => typeof f === 'function') ? undefined : 'must be an array of functions') };
}
