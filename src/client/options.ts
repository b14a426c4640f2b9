import type { z } from 'zod';
import { parseWithSchema } from '../core/options.js';
import { InvalidOptionsError } from './errors.js';

/**
 * Parses client, producer or consumer options with `schema`; on failure throws one
 * `InvalidOptionsError` naming every bad key, in the form every options check of the package uses.
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  return parseWithSchema(schema, input, what, (message) => new InvalidOptionsError(message, { retryable: false }));
}
