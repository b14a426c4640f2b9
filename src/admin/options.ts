import * as z from 'zod';
import { parseWithSchema } from '../core/options.js';
import { AdminOptionsError } from './errors.js';

/** PEM text or bytes. */
export type AdminPem = string | Uint8Array;

/**
 * Options of {@link DanubeAdmin}.
 *
 * @example
 * const admin = new DanubeAdmin({ adminUrl: 'http://127.0.0.1:50051', token: process.env.DANUBE_ADMIN_TOKEN });
 */
export interface DanubeAdminOptions {
  /** The broker's admin API, `http://host:port` or `https://host:port` (default {@link DEFAULT_ADMIN_URL}). */
  adminUrl?: string;
  /** JWT sent as `authorization: Bearer <token>` (needed when the broker has authentication on). */
  token?: string;
  /** TLS settings; giving them (or an `https://` URL) turns TLS on. */
  tls?: { ca?: AdminPem; cert?: AdminPem; key?: AdminPem };
  /** Time limit of one admin call (default {@link DEFAULT_ADMIN_TIMEOUT_MS}). */
  timeoutMs?: number;
}

export interface ResolvedAdminOptions {
  adminUrl: string;
  token?: string;
  tls?: { ca?: AdminPem; cert?: AdminPem; key?: AdminPem };
  timeoutMs: number;
}

/** The real broker's admin port on this machine. */
export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:50051';
export const DEFAULT_ADMIN_TIMEOUT_MS = 10_000;

const pem = z.union([z.string(), z.instanceof(Uint8Array)]);
const schema = z.strictObject({
  adminUrl: z
    .string()
    .regex(/^https?:\/\/[^/\s]+\/?$/, 'expected "http://host:port" or "https://host:port"')
    .default(DEFAULT_ADMIN_URL),
  token: z.string().min(1).optional(),
  tls: z.strictObject({ ca: pem.optional(), cert: pem.optional(), key: pem.optional() }).optional(),
  timeoutMs: z.number().int().positive().default(DEFAULT_ADMIN_TIMEOUT_MS),
});

/** Fills defaults; an unknown or invalid key throws an error that names it. */
export function parseAdminOptions(input: DanubeAdminOptions = {}): ResolvedAdminOptions {
  const parsed = parseWithSchema(schema, input, 'admin options', (message) => new AdminOptionsError(message));
  return { ...parsed, adminUrl: parsed.adminUrl.replace(/\/$/, '') };
}
