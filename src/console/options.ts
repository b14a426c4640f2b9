import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { parseWithSchema } from '../core/options.js';

/** Options of the console's HTTP server. */
export interface ConsoleServerOptions {
  /** Address to listen on. Default 127.0.0.1: the console is for this machine. */
  host?: string;
  /** Port; 0 = any free port. */
  port?: number;
  /** Refuse every action (checkpoint set/reset, run now, redrive), whatever the token. */
  readOnly?: boolean;
  /** The token actions need; default: a new random one per start. */
  token?: string;
  /** How often the page gets a new snapshot, in ms. */
  sampleIntervalMs?: number;
  /** How far back the charts reach, in seconds. */
  historySeconds?: number;
}

export const DEFAULT_CONSOLE_OPTIONS = Object.freeze({
  host: '127.0.0.1',
  port: 7650,
  readOnly: false,
  sampleIntervalMs: 1000,
  historySeconds: 600,
});

const Schema = z.strictObject({
  host: z.string().min(1).default(DEFAULT_CONSOLE_OPTIONS.host),
  port: z.number().int().min(0).max(65_535).default(DEFAULT_CONSOLE_OPTIONS.port),
  readOnly: z.boolean().default(DEFAULT_CONSOLE_OPTIONS.readOnly),
  token: z.string().min(16, 'must be at least 16 characters').optional(),
  sampleIntervalMs: z.number().int().min(100).max(60_000).default(DEFAULT_CONSOLE_OPTIONS.sampleIntervalMs),
  historySeconds: z.number().int().min(10).max(86_400).default(DEFAULT_CONSOLE_OPTIONS.historySeconds),
});

export type ResolvedConsoleServerOptions = Omit<z.output<typeof Schema>, 'token'> & { token: string };

/** Fills defaults (a fresh random token among them) and refuses unknown keys, naming them. */
export function parseConsoleServerOptions(options: ConsoleServerOptions = {}): ResolvedConsoleServerOptions {
  const parsed = parseWithSchema(Schema, options, 'console options');
  return { ...parsed, token: parsed.token ?? randomBytes(18).toString('base64url') };
}
