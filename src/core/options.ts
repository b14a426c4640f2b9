import type { z } from 'zod';
import { optionsError, unknownKey, type OptionProblem, type OptionsErrorFactory } from './option-problems.js';

/**
 * Parses options with a zod schema (use `z.strictObject` so unknown keys are refused) and throws
 * one error naming every offending key, in the same form as `checkOptions` (the zod-free check
 * of the cold-start path): a `ConfigError` unless the caller passes its own factory.
 *
 * @example
 * const opts = parseWithSchema(RetryOptionsSchema, input, 'retry policy');
 * // ConfigError: invalid retry policy: maxAttemps: unknown key (did you mean "maxAttempts"?)
 */
export function parseWithSchema<S extends z.ZodType>(schema: S, input: unknown, what: string, make?: OptionsErrorFactory): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems: OptionProblem[] = [];
  for (const issue of result.error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, issue.path);
      for (const key of issue.keys) problems.push({ key: base ? `${base}.${key}` : key, message: unknownKey(key, known) });
    } else {
      problems.push({ key: base || '(root)', message: issue.message });
    }
  }
  throw optionsError(what, problems, make);
}

/** The keys an object schema at `path` knows, for a suggestion; empty where that cannot be told. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = unwrap(schema);
  for (const part of path) {
    node = unwrap((node as { shape?: Record<string, unknown> } | undefined)?.shape?.[String(part)]);
    if (!node) return [];
  }
  const shape = (node as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** The object schema inside optional / default / nullable wrappers. */
function unwrap(node: unknown): unknown {
  let n = node as { shape?: unknown; _zod?: { def?: { innerType?: unknown } } } | undefined;
  while (n && !n.shape && n._zod?.def?.innerType) n = n._zod.def.innerType as typeof n;
  return n;
}
