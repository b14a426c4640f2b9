import { ConfigError } from './errors.js';
import { optionsError, unknownKey, type OptionProblem } from './option-problems.js';

/** One option: its default and a check that returns what is wrong, or undefined. */
export interface OptionRule<T> {
  default: T;
  /** A missing required option is reported instead of defaulted. */
  required?: boolean;
  check: (value: unknown) => string | undefined;
}

type Parsed<S extends Record<string, OptionRule<unknown>>> = { [K in keyof S]: S[K]['default'] };

/**
 * Checks an options object against its rules: fills defaults and rejects unknown, missing or
 * wrong keys, naming each. It weighs nothing to import, so every function on a cold-start path
 * (adapters, sinks, sources, the client) checks its options this way; zod stays with the large
 * configuration documents (relay configuration, connector settings, the serverless schema).
 *
 * @example
 * const opts = checkOptions(input, { concurrency: intRule(1, 1) }, 'forEachRecord options');
 */
export function checkOptions<S extends Record<string, OptionRule<unknown>>>(input: unknown, rules: S, what: string): Parsed<S> {
  const given = (input ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || Array.isArray(given)) throw new ConfigError(`invalid ${what}: must be an object`, ['(root)']);
  const problems: OptionProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(rules, key)) problems.push({ key, message: unknownKey(key, Object.keys(rules)) });
  }
  for (const [key, rule] of Object.entries(rules)) {
    const value = given[key];
    if (value === undefined) {
      if (rule.required) problems.push({ key, message: 'required' });
      else if (rule.default !== undefined) out[key] = rule.default;
      continue;
    }
    const problem = rule.check(value);
    if (problem) problems.push({ key, message: problem });
    out[key] = value;
  }
  if (problems.length > 0) throw optionsError(what, problems);
  return out as Parsed<S>;
}

/** The same rule, without a default: the key may be left out. */
export function optional<T>(rule: OptionRule<T>): OptionRule<T | undefined> {
  return { default: undefined, check: rule.check };
}

/** The same rule, with no default: leaving the key out is an error. */
export function required<T>(rule: OptionRule<T>): OptionRule<T> {
  return { ...rule, required: true };
}

/** An integer in [min, max]. */
export function intRule(defaultValue: number, min: number, max = Number.MAX_SAFE_INTEGER): OptionRule<number> {
  return {
    default: defaultValue,
    check: (v) => (Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? undefined : `must be an integer from ${min} to ${max}`),
  };
}

/** A finite number ≥ min. */
export function numberRule(defaultValue: number, min: number): OptionRule<number> {
  return { default: defaultValue, check: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= min ? undefined : `must be a number ≥ ${min}`) };
}

export function booleanRule(defaultValue: boolean): OptionRule<boolean> {
  return { default: defaultValue, check: (v) => (typeof v === 'boolean' ? undefined : 'must be true or false') };
}

/** A non-empty string, matching `pattern` when one is given (`hint` says what it must look like). */
export function stringRule(defaultValue: string, pattern?: RegExp, hint?: string): OptionRule<string> {
  return {
    default: defaultValue,
    check: (v) => {
      if (typeof v !== 'string' || v.length === 0) return 'must be a non-empty string';
      return pattern && !pattern.test(v) ? `must be ${hint ?? `like ${pattern}`}, got "${v}"` : undefined;
    },
  };
}

/** One of `values`. */
export function enumRule<T extends string>(defaultValue: T, values: readonly T[]): OptionRule<T> {
  return {
    default: defaultValue,
    check: (v) => (values.includes(v as T) ? undefined : `must be one of ${values.map((x) => `"${x}"`).join(', ')}, got ${JSON.stringify(v)}`),
  };
}

/** A function. */
export function functionRule<F extends (...args: never[]) => unknown>(defaultValue: F): OptionRule<F> {
  return { default: defaultValue, check: (v) => (typeof v === 'function' ? undefined : 'must be a function') };
}

/** An array of functions. */
export function functionsRule<F>(defaultValue: F[]): OptionRule<F[]> {
  return { default: defaultValue, check: (v) => (Array.isArray(v) && v.every((f) => typeof f === 'function') ? undefined : 'must be an array of functions') };
}

/** A plain object (its own keys are checked elsewhere). */
export function objectRule<T extends object>(defaultValue: T): OptionRule<T> {
  return { default: defaultValue, check: (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : 'must be an object') };
}

/** Any value at all (the caller's own data, e.g. an initial checkpoint). */
export function anyRule<T>(): OptionRule<T | undefined> {
  return { default: undefined, check: () => undefined };
}

/** A logger: an object with the pino-style level methods. */
export function loggerRule(): OptionRule<undefined> {
  return {
    default: undefined,
    check: (v) =>
      typeof v === 'object' && v !== null && typeof (v as { info?: unknown }).info === 'function'
        ? undefined
        : 'must be a logger (info, warn, error, child, ...)',
  };
}

/** An object handed over as a collaborator (a client, a store); its own shape is its owner's business. */
export function instanceRule(what: string): OptionRule<undefined> {
  return { default: undefined, check: (v) => (typeof v === 'object' && v !== null ? undefined : `must be ${what}`) };
}

/** A string or a number. */
export function stringOrNumberRule(): OptionRule<undefined> {
  return {
    default: undefined,
    check: (v) => (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? undefined : 'must be a string or a number'),
  };
}
