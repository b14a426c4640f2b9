import type { BindingInput, RelayConfigInput } from '../relay/config-schema.js';
import { parseRelayConfig } from '../relay/parse-config.js';
import { RelayConfigError } from '../relay/errors.js';
import { ServerlessConfigError, type DanubeServiceOptions } from './options.js';

/** The part of a serverless.yml function definition the Danube plugin reads. */
export interface ServiceFunction {
  handler?: string;
  /** The deployed function name (osls fills `<service>-<stage>-<key>`). */
  name?: string;
  timeout?: number;
  events?: Array<Record<string, unknown>>;
  danubeAccess?: 'source' | 'publisher' | 'none';
  role?: unknown;
  [key: string]: unknown;
}

/** A `danube` event found on a function, with where it came from (for messages). */
export interface DanubeEventRef {
  functionKey: string;
  index: number;
  event: Record<string, unknown>;
}

/** Every `danube` event of the service, in function order. */
export function findDanubeEvents(functions: Record<string, ServiceFunction>): DanubeEventRef[] {
  const found: DanubeEventRef[] = [];
  for (const [functionKey, fn] of Object.entries(functions)) {
    (fn.events ?? []).forEach((wrapper, index) => {
      if (wrapper && typeof wrapper === 'object' && 'danube' in wrapper) {
        found.push({ functionKey, index, event: (wrapper.danube ?? {}) as Record<string, unknown> });
      }
    });
  }
  return found;
}

/** How the relay reaches the sink functions. */
export type FunctionTarget =
  | { kind: 'lambda' }
  | { kind: 'local'; moduleFor: (functionKey: string, fn: ServiceFunction) => { module: string; export: string } };

export interface BuildRelayConfigOptions {
  functions: Record<string, ServiceFunction>;
  danube: DanubeServiceOptions;
  /** provider.timeout in seconds (osls default 6). */
  defaultTimeoutSeconds?: number;
  target: FunctionTarget;
  /** Relay run mode: lambda runs take over each other by consumer name; containers share. */
  relayMode: 'lambda' | 'container' | 'none' | 'local';
  /** Container mode: how many tasks share each subscription. */
  replicas?: number;
}

/** The name a binding gets when its event has none: `<function>-<last topic segment>`. */
export function defaultBindingName(functionKey: string, topic: unknown): string {
  const last = typeof topic === 'string' ? (topic.split('/').pop() ?? '') : '';
  return `${functionKey}-${last}`.replace(/[^A-Za-z0-9._-]/g, '-');
}

/**
 * Turns the `danube` events of a service into a relay configuration, validated by the relay's
 * own parser, so that what `osls package` accepts is exactly what the relay will run.
 *
 * @example
 * const { config } = buildRelayConfig({ functions, danube, target: { kind: 'lambda' }, relayMode: 'lambda' });
 * config.bindings[0].function; // { type: 'lambda', name: 'svc-dev-exampleSink', ... }
 */
export function buildRelayConfig(
  options: BuildRelayConfigOptions,
): ReturnType<typeof parseRelayConfig> & { raw: RelayConfigInput; functionKeys: ReadonlyMap<string, string> } {
  const bindings: BindingInput[] = [];
  /** Binding name → the serverless.yml key of the function its event sits on. */
  const functionKeys = new Map<string, string>();
  for (const ref of findDanubeEvents(options.functions)) {
    const binding = bindingFor(ref, options);
    bindings.push(binding);
    functionKeys.set(binding.name, ref.functionKey);
  }
  const raw: RelayConfigInput = {
    serviceUrl: options.danube.serviceUrl,
    ...(options.danube.relay.drainTimeoutMs !== undefined ? { drainTimeoutMs: options.danube.relay.drainTimeoutMs } : {}),
    ...(options.danube.relay.readinessGraceMs !== undefined ? { readinessGraceMs: options.danube.relay.readinessGraceMs } : {}),
    bindings,
  };
  if (bindings.length === 0) return { config: { ...raw, host: '127.0.0.1', drainTimeoutMs: 0, bindings: [] } as never, warnings: [], raw, functionKeys };
  try {
    return { ...parseRelayConfig(raw), raw, functionKeys };
  } catch (err) {
    if (err instanceof RelayConfigError) {
      throw new ServerlessConfigError(`danube event: ${err.message.replace(/^invalid relay config: /, '')}`, err.keys, { cause: err });
    }
    throw err;
  }
}

function bindingFor(ref: DanubeEventRef, options: BuildRelayConfigOptions): BindingInput {
  const fn = options.functions[ref.functionKey]!;
  const event = ref.event;
  const name = typeof event.name === 'string' ? event.name : defaultBindingName(ref.functionKey, event.topic);
  const timeoutMs = Math.round((fn.timeout ?? options.defaultTimeoutSeconds ?? 6) * 1000);
  const fnTarget =
    options.target.kind === 'lambda'
      ? { type: 'lambda' as const, name: fn.name ?? ref.functionKey, timeoutMs }
      : { type: 'local' as const, ...options.target.moduleFor(ref.functionKey, fn), timeoutMs };
  const subscription = subscriptionFor(name, event.subscription, event.ordering, options);
  return { ...event, name, subscription, function: fnTarget } as BindingInput;
}

function subscriptionFor(binding: string, input: unknown, ordering: unknown, options: BuildRelayConfigOptions): unknown {
  const sub: Record<string, unknown> = typeof input === 'string' ? { name: input } : { ...(input as Record<string, unknown>) };
  if (options.relayMode === 'lambda' || options.relayMode === 'local') {
    // Each scheduled relay run subscribes under the same consumer name, so the next run takes the
    // previous one over (the broker closes the old stream) instead of queueing behind it.
    sub.consumerName ??= `${binding}-relay`;
  }
  const shared = options.relayMode === 'container' && (options.replicas ?? 1) > 1;
  // Several tasks on one subscription: keep per-key order by letting the broker pin keys to tasks.
  if (shared && sub.type === undefined && ordering === 'key') sub.type = 'key-shared';
  if (shared && sub.type === 'exclusive') {
    throw new ServerlessConfigError(
      `danube event of binding "${binding}": subscription.type exclusive cannot be shared by ${options.replicas} relay tasks; use shared, key-shared or failover`,
      ['subscription.type'],
    );
  }
  return sub;
}
