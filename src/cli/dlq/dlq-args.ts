// Flags shared by the `danube-connect dlq` commands: which records (filters) and which broker.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { DEAD_LETTER_REASONS, type DeadLetterReason } from '../../core/dead-letter.js';
import type { DeadLetterFilter } from '../../dlq/index.js';
import { adminUrlFor } from '../../serverless/provision.js';

type Values = Record<string, string | boolean | string[] | undefined>;

export const FILTER_OPTIONS = {
  reason: { type: 'string', multiple: true },
  origin: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  key: { type: 'string' },
  id: { type: 'string', multiple: true },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const CONNECTION_OPTIONS = {
  'service-url': { type: 'string' },
  'admin-url': { type: 'string' },
  token: { type: 'string' },
  'data-dir': { type: 'string' },
  'idle-ms': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const FILTER_HELP = `filters (every one given must match):
  --reason R          ${DEAD_LETTER_REASONS.join(', ')} (repeatable: any of them)
  --origin O          who dead-lettered it: relay:<binding>, source:<name>, ... or a kind alone (relay)
  --since T, --until T   last failure at or after / before T: an ISO date (2026-12-03T10:00Z),
                      a time ago (30s, 15m, 2h, 7d) or ms since the epoch
  --key K             the original routing key
  --id ID             a dead-letter record id as list prints it (repeatable)`;

export const CONNECTION_HELP = `connection:
  --service-url URL   the broker (default: $DANUBE_SERVICE_URL, else the \`npm start\` running here,
                      else http://127.0.0.1:6650)
  --admin-url URL     its admin API, to check the inspection subscription (default: $DANUBE_ADMIN_URL,
                      else the \`npm start\` running here, else the broker's host on port 50051)
  --token JWT         (default: $DANUBE_TOKEN; the admin API: $DANUBE_ADMIN_TOKEN, else the same)
  --data-dir DIR      where \`npm start\` keeps its state (default .danube)
  --idle-ms MS        a read ends once the broker sent nothing for this long (default 1000)
  --json              JSON on stdout`;

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `2h` → two hours ago; an ISO date; ms since the epoch. Names the flag when it is none of these. */
export function parseTime(flag: string, value: string, now = Date.now()): number {
  const ago = /^(\d+)([smhd])$/.exec(value);
  if (ago) return now - Number(ago[1]) * UNITS[ago[2]!]!;
  if (/^\d{10,}$/.test(value)) return Number(value);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`--${flag} must be an ISO date, a time ago (30s, 15m, 2h, 7d) or ms since the epoch, got "${value}"`);
  return t;
}

/** The filter the flags describe. */
export function parseFilter(values: Values, now = Date.now()): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  const reasons = values.reason as string[] | undefined;
  if (reasons?.length) {
    for (const r of reasons) {
      if (!(DEAD_LETTER_REASONS as readonly string[]).includes(r)) throw new Error(`--reason must be one of ${DEAD_LETTER_REASONS.join(', ')}, got "${r}"`);
    }
    filter.reasons = reasons as DeadLetterReason[];
  }
  if (values.origin !== undefined) filter.origin = values.origin as string;
  if (values.since !== undefined) filter.since = parseTime('since', values.since as string, now);
  if (values.until !== undefined) filter.until = parseTime('until', values.until as string, now);
  if (values.key !== undefined) filter.key = values.key as string;
  const ids = values.id as string[] | undefined;
  if (ids?.length) filter.ids = ids;
  return filter;
}

/** A positive integer flag, or `fallback`. */
export function positiveInt(values: Values, flag: string, fallback: number): number {
  const v = values[flag];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag} must be a positive integer, got "${String(v)}"`);
  return n;
}

export interface Connection {
  serviceUrl: string;
  adminUrl: string;
  token?: string;
  adminToken?: string;
  /** Where the URLs came from, for messages. */
  from: 'flags' | 'npm start' | 'default';
}

/** The broker to talk to: flags, then the environment, then the `npm start` running here, then the defaults. */
export function resolveConnection(values: Values, env: NodeJS.ProcessEnv): Connection {
  let dev: { serviceUrl?: string; adminUrl?: string } = {};
  try {
    dev = JSON.parse(readFileSync(join(resolve((values['data-dir'] as string | undefined) ?? '.danube'), 'dev.json'), 'utf8')) as typeof dev;
  } catch {
    /* no npm start running here */
  }
  const given = (values['service-url'] as string | undefined) ?? (env.DANUBE_SERVICE_URL || undefined);
  const serviceUrl = given ?? dev.serviceUrl ?? 'http://127.0.0.1:6650';
  const fromDev = given === undefined && dev.serviceUrl !== undefined;
  const adminUrl =
    (values['admin-url'] as string | undefined) ?? (env.DANUBE_ADMIN_URL || undefined) ?? (fromDev ? dev.adminUrl : undefined) ?? adminUrlFor(serviceUrl);
  const token = (values.token as string | undefined) ?? (env.DANUBE_TOKEN || undefined);
  const adminToken = (env.DANUBE_ADMIN_TOKEN || undefined) ?? token;
  return {
    serviceUrl,
    adminUrl,
    ...(token ? { token } : {}),
    ...(adminToken ? { adminToken } : {}),
    from: given !== undefined ? 'flags' : fromDev ? 'npm start' : 'default',
  };
}
