/**
 * A copy of `object` without its `undefined` values. Option parsers here reject a key that is
 * present but undefined, so callers that assemble options from optional inputs pass them through
 * this first.
 *
 * @example
 * withoutUndefined({ topic: '/default/t', partitions: undefined }); // { topic: '/default/t' }
 */
export function withoutUndefined<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}
