// Reads the handlers' settings from the function's environment, so each handler stays a few lines
// and a missing or malformed variable fails the cold start with a message naming it (the names
// are listed in each connector's page under docs/connectors/).
import { ConfigError } from 'danube-connect-serverless';
import { findJsonSyntaxProblem } from './json-syntax.js';

type Env = Record<string, string | undefined>;

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * A required variable; a missing or empty one fails with its name and, when given, what it holds.
 *
 * @example
 * const url = need(process.env, 'PG_URL', 'the PostgreSQL connection string');
 */
export function need(env: Env, name: string, expected?: string): string {
  const value = env[name];
  if (!present(value)) throw new ConfigError(`${name} is not set${expected ? `: ${expected}` : ''}`, [name]);
  return value;
}

/** Optional settings, only present keys (so option parsing applies its defaults). */
export function optional<T>(env: Env, name: string, parse: (v: string) => T): T | undefined {
  const value = env[name];
  return present(value) ? parse(value) : undefined;
}

export const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
export const int = (v: string): number => Number.parseInt(v, 10);
export const bool = (v: string): boolean => v === 'true' || v === '1';

/** What a JSON setting must be at its top level. */
export type JsonKind = 'object' | 'array';

/**
 * Parses the JSON held in variable `name`. Malformed JSON is reported with its place (line,
 * column) but never with the text around it, which may hold a secret.
 *
 * @example
 * const config = parseJsonVariable<MqttSourceOptions>('MQTT_CONFIG', process.env.MQTT_CONFIG!);
 */
export function parseJsonVariable<T>(name: string, text: string, kind: JsonKind = 'object'): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The SyntaxError is not passed on as `cause`: its message may quote the variable's text.
    const at = findJsonSyntaxProblem(text);
    const where = at ? `${at.problem} at line ${at.line}, column ${at.column}` : 'it does not parse';
    throw new ConfigError(`${name} is not valid JSON: ${where}`, [name]);
  }
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : typeof value;
  if (actual !== kind)
    throw new ConfigError(`${name} must hold a JSON ${kind}, not ${actual === 'array' || actual === 'object' ? `an ${actual}` : actual}`, [name]);
  return value as T;
}

/**
 * A required JSON setting: fails with the variable's name and `expected` (what it should hold)
 * when unset, and as {@link parseJsonVariable} when malformed.
 *
 * @example
 * const config = needJson<HttpPollerOptions>(process.env, 'HTTP_POLLER_CONFIG', 'a JSON object with "name", "topic" and "url"');
 */
export function needJson<T>(env: Env, name: string, expected: string, kind: JsonKind = 'object'): T {
  return parseJsonVariable<T>(name, need(env, name, expected), kind);
}

/** An optional JSON setting: `undefined` when unset or empty. */
export function optionalJson<T>(env: Env, name: string, kind: JsonKind = 'object'): T | undefined {
  return optional(env, name, (v) => parseJsonVariable<T>(name, v, kind));
}

/**
 * Runs a connector's option parsing and prefixes a configuration error with the variables its
 * settings came from, so a user knows which one to fix.
 *
 * @example
 * export const source = fromSettings(['MQTT_CONFIG'], () => mqttSource(config));
 */
export function fromSettings<T>(names: string[], build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${names.join(' / ')}: ${err.message}`, err.keys, { cause: err });
    throw err;
  }
}

/** Drops undefined values, so that option objects built from optional settings get their defaults. */
export function defined<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}
