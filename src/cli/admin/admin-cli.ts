// What every admin command (`topics`, `subscriptions`, `namespaces`, `brokers`) shares: the
// connection flags, one DanubeAdmin per run, errors as one readable line, and --json output.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DanubeAdmin, DEFAULT_ADMIN_URL } from '../../admin/index.js';

/** Connection and output settings of an admin command. */
export interface AdminCliOptions {
  adminUrl: string;
  token?: string;
  /** PEM of the CA that signed the admin port's certificate (https:// URLs). */
  ca?: string;
  json: boolean;
  timeoutMs: number;
}

export const DEFAULT_ADMIN_CLI_TIMEOUT_MS = 10_000;
/** Environment variables the admin commands read. */
export const ADMIN_ENV = Object.freeze({ url: 'DANUBE_ADMIN_URL', token: 'DANUBE_ADMIN_TOKEN', ca: 'DANUBE_ADMIN_CA' });

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | string[] | undefined>;

const COMMON: Options = {
  'admin-url': { type: 'string' },
  token: { type: 'string' },
  ca: { type: 'string' },
  json: { type: 'boolean' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const COMMON_HELP = `common options:
  --admin-url URL     the broker's admin API (default: $${ADMIN_ENV.url}, else ${DEFAULT_ADMIN_URL})
  --token JWT         bearer token (default: $${ADMIN_ENV.token}); needed when the broker has auth on
  --ca FILE           CA certificate of an https:// admin URL (default: $${ADMIN_ENV.ca})
  --json              print JSON instead of text
  --timeout-ms MS     time limit of each call (default ${DEFAULT_ADMIN_CLI_TIMEOUT_MS})
`;

/** Reads the common flags (falling back to the environment); rejects a bad timeout by name. */
export function parseAdminCliOptions(values: Values, env: NodeJS.ProcessEnv): AdminCliOptions {
  const timeout = values['timeout-ms'] === undefined ? DEFAULT_ADMIN_CLI_TIMEOUT_MS : Number(values['timeout-ms']);
  if (!Number.isInteger(timeout) || timeout <= 0) throw new Error(`--timeout-ms must be a positive integer, got "${String(values['timeout-ms'])}"`);
  const token = (values.token as string | undefined) ?? env[ADMIN_ENV.token];
  const caFile = (values.ca as string | undefined) ?? env[ADMIN_ENV.ca];
  return {
    adminUrl: (values['admin-url'] as string | undefined) ?? env[ADMIN_ENV.url] ?? DEFAULT_ADMIN_URL,
    ...(token ? { token } : {}),
    ...(caFile ? { ca: readFileSync(caFile, 'utf8') } : {}),
    json: values.json === true,
    timeoutMs: timeout,
  };
}

/** One sub-command, e.g. `topics create`. */
export interface Subcommand {
  /** `TOPIC [--partitions N]`: shown in the usage. */
  usage: string;
  summary: string;
  /** Names of the required positional arguments, in order. */
  args: string[];
  /** Names of optional positional arguments after the required ones. */
  optional?: string[];
  options?: Options;
  run(admin: DanubeAdmin, args: string[], values: Values): Promise<unknown>;
  /** Text form of the result (default: nothing printed for undefined, else the JSON). */
  text?(result: never): string;
}

function usage(group: string, subcommands: Record<string, Subcommand>): string {
  const lines = Object.entries(subcommands).map(([name, s]) => {
    const left = `${name} ${s.usage}`;
    return left.length > 56 ? `  ${left}\n  ${''.padEnd(58)} ${s.summary}` : `  ${left.padEnd(58)} ${s.summary}`;
  });
  return `usage: danube-connect ${group} <command> [options]\n\n${lines.join('\n')}\n\n${COMMON_HELP}`;
}

/** JSON with uint64 ids (bigint) as strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

/** Rows as aligned columns, for lists. */
export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n')}\n`;
}

/**
 * Runs `danube-connect <group> <sub-command> ...`: 0 on success, 2 on a usage error; a failed
 * call throws, and the command line prints its message (no stack trace).
 */
export async function runGroup(group: string, subcommands: Record<string, Subcommand>, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? process.stdout : process.stderr).write(usage(group, subcommands));
    return name ? 0 : 2;
  }
  const sub = subcommands[name];
  if (!sub) {
    process.stderr.write(`danube-connect ${group}: unknown command "${name}"\n\n${usage(group, subcommands)}`);
    return 2;
  }
  const { values, positionals } = parseArgs({ args: rest, strict: true, allowPositionals: true, options: { ...COMMON, ...sub.options } });
  if (values.help) {
    process.stdout.write(`usage: danube-connect ${group} ${name} ${sub.usage}\n\n${sub.summary}\n\n${COMMON_HELP}`);
    return 0;
  }
  const most = sub.args.length + (sub.optional?.length ?? 0);
  if (positionals.length < sub.args.length || positionals.length > most) {
    const missing = sub.args.slice(positionals.length);
    const why = missing.length ? `missing ${missing.join(' ')}` : `unexpected argument "${positionals[most]}"`;
    process.stderr.write(`danube-connect ${group} ${name}: ${why}\nusage: danube-connect ${group} ${name} ${sub.usage}\n`);
    return 2;
  }
  const options = parseAdminCliOptions(values as Values, process.env);
  const admin = new DanubeAdmin({
    adminUrl: options.adminUrl,
    timeoutMs: options.timeoutMs,
    ...(options.token ? { token: options.token } : {}),
    ...(options.ca ? { tls: { ca: options.ca } } : {}),
  });
  try {
    const result = await sub.run(admin, positionals, values as Values);
    if (options.json) process.stdout.write(`${toJson(result ?? { ok: true })}\n`);
    else if (sub.text) process.stdout.write(sub.text(result as never));
    else if (result !== undefined) process.stdout.write(`${toJson(result)}\n`);
    return 0;
  } finally {
    admin.close();
  }
}

/** An integer flag, or undefined when absent; names the flag when it is not one. */
export function intFlag(values: Values, flag: string): number | undefined {
  const v = values[flag];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`--${flag} must be an integer, got "${String(v)}"`);
  return n;
}

/** One of `allowed`, or undefined when absent; names the flag and the choices otherwise. */
export function choiceFlag<T extends string>(values: Values, flag: string, allowed: readonly T[]): T | undefined {
  const v = values[flag];
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new Error(`--${flag} must be one of ${allowed.join(', ')}, got "${String(v)}"`);
  return v as T;
}
