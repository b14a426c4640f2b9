import type pg from 'pg';
import type { PostgresConnectionOptions } from './connection.js';
import { SESSION_OPTIONS } from './values.js';

/** `pg` client config with the session settings the value decoder relies on. */
export function clientConfig(
  options: { connectionString: string; ssl?: PostgresConnectionOptions['ssl']; connectTimeoutMs: number },
  extra: Partial<pg.ClientConfig> = {},
): pg.ClientConfig {
  const config: pg.ClientConfig = {
    connectionString: options.connectionString,
    connectionTimeoutMillis: options.connectTimeoutMs,
    options: SESSION_OPTIONS,
    application_name: 'danube-connect',
    ...extra,
  };
  if (options.ssl !== undefined) config.ssl = options.ssl;
  return config;
}
