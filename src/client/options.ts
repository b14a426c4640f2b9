import type { z } from 'zod';
import { InvalidOptionsError } from './errors.js';

/**
 * Parses `input` with `schema`; on failure throws one `InvalidOptionsError` that names every bad
 * key (`producer options: "partitons" is not a known option; "maxInFlight": Too small ...`).
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `"${at ? `${at}.` : ''}${k}"`).join(', ');
      return `${keys} ${issue.keys.length > 1 ? 'are not known options' : 'is not a known option'}`;
    }
    return `"${at || '(root)'}": ${issue.message}`;
  });
  throw new InvalidOptionsError(`invalid ${what}: ${problems.join('; ')}`, { retryable: false });
}
