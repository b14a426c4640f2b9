import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { RelayConfigError } from './errors.js';
import { RelayConfigSchema, type BindingConfig, type RelayConfig, type RelayConfigInput } from './config-schema.js';

export interface ParseRelayConfigOptions {
  /** `json` or `yaml`; guessed from the text when omitted (JSON is valid YAML anyway). */
  format?: 'json' | 'yaml';
  /** Values for `${NAME}` placeholders in string fields (the CLI passes `process.env`). */
  env?: Record<string, string | undefined>;
  /** Transform names the connector core knows; when given, other names are refused. */
  knownTransforms?: readonly string[];
}

export interface ParsedRelayConfig {
  config: RelayConfig;
  /** Settings that run but probably not as intended (each names the binding). */
  warnings: string[];
}

/**
 * Parses and validates a relay configuration (JSON or YAML text, or an object), fills every
 * default, and refuses anything unknown or contradictory with a message naming the binding and
 * the field.
 *
 * @example
 * const { config, warnings } = parseRelayConfig(readFileSync('relay.yaml', 'utf8'), { env: process.env });
 * for (const w of warnings) logger.warn(w);
 */
export function parseRelayConfig(input: string | RelayConfigInput | Record<string, unknown>, options: ParseRelayConfigOptions = {}): ParsedRelayConfig {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = options.format === 'json' ? JSON.parse(input) : parseYaml(input);
    } catch (err) {
      throw new RelayConfigError(`relay config is not valid ${options.format ?? 'JSON/YAML'}: ${(err as Error).message}`, [], { cause: err });
    }
  }
  if (options.env) raw = interpolate(raw, options.env, [], raw);
  const result = RelayConfigSchema.safeParse(raw);
  if (!result.success) throw toConfigError(result.error, raw);
  const config = result.data;
  deriveSubscriptionSettings(config, raw);
  checkCrossFields(config, options);
  return { config, warnings: warningsFor(config) };
}

function interpolate(value: unknown, env: Record<string, string | undefined>, path: (string | number)[], root: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, key: string) => {
      const v = env[key];
      if (v === undefined)
        throw new RelayConfigError(`invalid relay config: ${describePath(path, root)}: environment variable ${key} is not set`, [path.join('.')]);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, i], root));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, [...path, k], root)]));
  }
  return value;
}

/** `bindings.2.batchSize` → `binding "orders": batchSize`, so users see the name they wrote. */
function describePath(path: PropertyKey[], raw: unknown): string {
  if (path[0] === 'bindings' && typeof path[1] === 'number') {
    const bindings = (raw as { bindings?: unknown[] })?.bindings;
    const name = (bindings?.[path[1]] as { name?: unknown } | undefined)?.name;
    const who = typeof name === 'string' ? `binding "${name}"` : `bindings[${path[1]}]`;
    const rest = path.slice(2).map(String).join('.');
    return rest ? `${who}: ${rest}` : who;
  }
  return path.length ? path.map(String).join('.') : '(root)';
}

function toConfigError(error: z.ZodError, raw: unknown): RelayConfigError {
  const parts: string[] = [];
  const keys: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        parts.push(`${describePath([...issue.path, key], raw)}: unknown key`);
        keys.push([...issue.path, key].map(String).join('.'));
      }
      continue;
    }
    parts.push(`${describePath(issue.path, raw)}: ${issue.message}`);
    keys.push(issue.path.map(String).join('.'));
  }
  return new RelayConfigError(`invalid relay config: ${parts.join('; ')}`, keys);
}

/** Extra time a record may wait in the relay (batching, a busy lane) beyond one invocation. */
const ACK_TIMEOUT_MARGIN_MS = 5_000;

/**
 * A subscription's `maxUnackedMessages` and `ackTimeoutMs` left out of the config are what the
 * binding needs, not the broker's defaults (10 and 30 s): a window that holds every batch in
 * flight (`batchSize × maxConcurrency`, at most 10000), and an ack timeout longer than an
 * invocation. Provisioning sets them on the broker before the relay subscribes.
 */
function deriveSubscriptionSettings(config: RelayConfig, raw: unknown): void {
  const rawBindings = (raw as { bindings?: unknown[] })?.bindings ?? [];
  config.bindings.forEach((b, i) => {
    const given = (rawBindings[i] as { subscription?: unknown } | undefined)?.subscription;
    const declared = given !== null && typeof given === 'object' ? (given as Record<string, unknown>) : {};
    if (declared.maxUnackedMessages === undefined) b.subscription.maxUnackedMessages = Math.min(10_000, b.batchSize * b.maxConcurrency);
    if (declared.ackTimeoutMs === undefined) {
      b.subscription.ackTimeoutMs = Math.max(b.subscription.ackTimeoutMs, b.function.timeoutMs + b.maxBatchingWindowMs + ACK_TIMEOUT_MARGIN_MS);
    }
  });
}

function fail(binding: BindingConfig, field: string, message: string): never {
  throw new RelayConfigError(`invalid relay config: binding "${binding.name}": ${field}: ${message}`, [field]);
}

function checkCrossFields(config: RelayConfig, options: ParseRelayConfigOptions): void {
  const seen = new Set<string>();
  for (const b of config.bindings) {
    if (seen.has(b.name)) fail(b, 'name', 'another binding has the same name');
    seen.add(b.name);
    if (b.deadLetterTopic !== undefined && b.deadLetterTopic === b.topic) {
      fail(b, 'deadLetterTopic', 'must differ from topic (it would loop)');
    }
    if (b.maxRecordAgeSeconds > 0 && b.deadLetterTopic === undefined) {
      fail(b, 'maxRecordAgeSeconds', 'needs deadLetterTopic: expired records are moved there, the relay never drops them');
    }
    if (b.retryBackoff.maxDelayMs < b.retryBackoff.initialDelayMs) {
      fail(b, 'retryBackoff.maxDelayMs', 'must be at least retryBackoff.initialDelayMs');
    }
    if (b.subscription.keyFilters && b.subscription.type !== 'key-shared') {
      fail(b, 'subscription.keyFilters', 'only a key-shared subscription takes key filters');
    }
    if (b.transform && options.knownTransforms) {
      const unknown = b.transform.filter((t) => !options.knownTransforms!.includes(t));
      if (unknown.length) fail(b, 'transform', `unknown transform ${unknown.map((u) => `"${u}"`).join(', ')} (known: ${options.knownTransforms.join(', ')})`);
    }
  }
}

function warningsFor(config: RelayConfig): string[] {
  const warnings: string[] = [];
  for (const b of config.bindings) {
    const sub = b.subscription;
    if (b.function.timeoutMs > sub.ackTimeoutMs) {
      warnings.push(
        `binding "${b.name}": function.timeoutMs (${b.function.timeoutMs}) exceeds the subscription's ack timeout (${sub.ackTimeoutMs} ms): ` +
          "the broker will redeliver records still being processed; the relay does not invoke them twice, but each redelivery counts toward the broker's redelivery limit",
      );
    }
    if (b.batchSize * b.maxConcurrency > sub.maxUnackedMessages) {
      warnings.push(
        `binding "${b.name}": batchSize × maxConcurrency (${b.batchSize} × ${b.maxConcurrency}) exceeds the subscription's max_unacked_messages (${sub.maxUnackedMessages}): ` +
          "batches can never fill and will be cut by the window; raise the subscription's max unacked messages or lower batchSize",
      );
    }
    if (b.maxRetryAttempts === -1 && b.maxRecordAgeSeconds === -1 && b.deadLetterTopic !== undefined) {
      warnings.push(
        `binding "${b.name}": maxRetryAttempts -1 and no maxRecordAgeSeconds: a failing record is retried forever and never reaches ${b.deadLetterTopic}`,
      );
    }
    if (b.deadLetterTopic === undefined) {
      warnings.push(
        `binding "${b.name}": no deadLetterTopic: a record that keeps failing is retried forever and blocks its ${b.ordering === 'none' ? 'slot' : b.ordering}`,
      );
    }
  }
  return warnings;
}
