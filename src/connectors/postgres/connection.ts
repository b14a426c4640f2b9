import * as z from 'zod';

/** How every PostgreSQL connector reaches the database. */
export interface PostgresConnectionOptions {
  /** `postgres://user:password@host:5432/database` (libpq URI; `?sslmode=` is honoured by `pg`). */
  connectionString: string;
  /** TLS: `true` to require it with the system CAs, or `{ ca, rejectUnauthorized }`. */
  ssl?: boolean | { ca?: string; rejectUnauthorized?: boolean };
  /** Give up connecting after this long (default 5 000 ms). */
  connectTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** zod shape of {@link PostgresConnectionOptions}, merged into each connector's schema. */
export const connectionShape = {
  connectionString: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// URI'),
  ssl: z.union([z.boolean(), z.strictObject({ ca: z.string().optional(), rejectUnauthorized: z.boolean().optional() })]).optional(),
  connectTimeoutMs: z.number().int().min(100).max(120_000).default(DEFAULT_CONNECT_TIMEOUT_MS),
};

/** `user@host:port/db` for messages: never the password. */
export function describeTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const db = url.pathname.replace(/^\//, '') || '(default db)';
    return `${decodeURIComponent(url.username) || '(default user)'}@${url.hostname}:${url.port || '5432'}/${db}`;
  } catch {
    return '(unparsable connection string)';
  }
}

/** Double-quotes an identifier; `schema.table` is split and each part quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `orders` → `"public"."orders"`, `sales.orders` → `"sales"."orders"`. */
export function quoteTable(name: string, defaultSchema = 'public'): string {
  const { schema, table } = splitTable(name, defaultSchema);
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

export function splitTable(name: string, defaultSchema = 'public'): { schema: string; table: string } {
  const dot = name.indexOf('.');
  return dot < 0 ? { schema: defaultSchema, table: name } : { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}
