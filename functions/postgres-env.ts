// Reads the PostgreSQL connectors' settings from the function's environment (the names are
// listed in docs/connectors/postgres.md). Kept apart so each handler stays a few lines.
type Env = Record<string, string | undefined>;

/** A required variable; a missing one fails the cold start with its name. */
export function need(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is required`);
  return value;
}

/** Optional settings, only present keys (so option parsing applies its defaults). */
export function optional<T>(env: Env, name: string, parse: (v: string) => T): T | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : parse(value);
}

export const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);
export const int = (v: string): number => Number.parseInt(v, 10);
export const bool = (v: string): boolean => v === 'true' || v === '1';
export const json = <T>(v: string): T => JSON.parse(v) as T;

/** Drops undefined values so `exactOptionalPropertyTypes`-style option objects stay clean. */
export function defined<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}
