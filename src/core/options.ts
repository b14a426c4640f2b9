import type { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Parses options with a zod schema (use `z.strictObject` so unknown keys are refused) and turns
 * the first problems into one {@link ConfigError} whose message names every offending key.
 *
 * @example
 * const opts = parseWithSchema(RetryOptionsSchema, input, 'retry policy');
 * // ConfigError: invalid retry policy: maxAttemps: unknown key
 */
export function parseWithSchema<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const keys: string[] = [];
  const parts: string[] = [];
  for (const issue of result.error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = base ? `${base}.${key}` : key;
        keys.push(path);
        parts.push(`${path}: unknown key`);
      }
    } else {
      keys.push(base || '(root)');
      parts.push(`${base || '(root)'}: ${issue.message}`);
    }
  }
  return failWith(what, parts, keys);
}

function failWith(what: string, parts: string[], keys: string[]): never {
  throw new ConfigError(`invalid ${what}: ${parts.join('; ')}`, keys);
}
