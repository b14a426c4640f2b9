import { createHash } from 'node:crypto';
import type { BindingInput } from '../relay/config-schema.js';
import { ENV, connectionEnvironment } from './environment.js';
import { invokeStatement, logStatement, role, tokenStatements } from './iam.js';
import { ServerlessConfigError, type DanubeServiceOptions } from './options.js';

export interface LambdaRelayOptions {
  danube: DanubeServiceOptions;
  bindings: BindingInput[];
  /** `<service>-<stage>`: prefix of the deployed function names. */
  stackPrefix: string;
  /** The handler string of the relay function, relative to the service directory. */
  handler: string;
  /** The logical id of a bound function, from its serverless.yml key. */
  logicalIdOf: (functionKey: string) => string;
  /** The serverless.yml key of the function a binding invokes. */
  functionKeyOf: (binding: BindingInput) => string;
}

export interface LambdaRelayParts {
  /** serverless.yml function definitions to add, by key. */
  functions: Record<string, Record<string, unknown>>;
  /** IAM roles, one per relay function, by logical id. */
  resources: Record<string, unknown>;
}

/** Lambda names are at most 64 characters: long ones keep a readable head and a hash. */
export function relayFunctionName(stackPrefix: string, binding: string): string {
  const name = `${stackPrefix}-relay-${binding}`.replace(/[^A-Za-z0-9_-]/g, '-');
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 55)}-${hash}`;
}

/**
 * The relay as scheduled Lambda functions, one per binding: each run consumes until
 * `stopMarginMs` before its timeout, finishes its batches, and ends; the next scheduled run
 * subscribes under the same consumer name and takes over. Reserved concurrency 1 keeps exactly
 * one run per binding; ticks that arrive while a run is live are throttled and then discarded
 * (no retries, event age 60 s) instead of piling up.
 *
 * @example
 * const { functions, resources } = lambdaRelayParts({ danube, bindings, stackPrefix: 'svc-dev', handler: 'functions/relay.handler', ... });
 */
export function lambdaRelayParts(options: LambdaRelayOptions): LambdaRelayParts {
  const functions: Record<string, Record<string, unknown>> = {};
  const resources: Record<string, unknown> = {};
  const settings = options.danube.relay.lambda;
  for (const binding of options.bindings) {
    const key = `relay-${binding.name}`.replace(/[^A-Za-z0-9-]/g, '-');
    const name = relayFunctionName(options.stackPrefix, binding.name);
    const roleId = `DanubeRelay${pascal(binding.name)}Role`;
    // Stop taking messages early enough that a batch started last can still run to its timeout.
    const sinkTimeoutMs = (binding.function as { timeoutMs?: number }).timeoutMs ?? 30_000;
    const stopMarginMs = Math.max(settings.stopMarginMs, sinkTimeoutMs + 5_000);
    if (stopMarginMs >= settings.timeout * 1000) {
      throw new ServerlessConfigError(
        `custom.danube.relay.lambda.timeout (${settings.timeout} s) leaves no time to consume: binding "${binding.name}" needs ${stopMarginMs} ms at the end of each run (its function timeout + 5 s)`,
        ['relay.lambda.timeout'],
      );
    }
    functions[key] = {
      handler: options.handler,
      name,
      description: `Danube relay for binding ${binding.name} (${binding.topic})`,
      timeout: settings.timeout,
      memorySize: settings.memorySize,
      reservedConcurrency: 1,
      maximumRetryAttempts: 0,
      maximumEventAge: 60,
      role: roleId,
      // Its schedule event does not make it a source: it gets only its own role.
      danubeAccess: 'none',
      environment: {
        ...connectionEnvironment(options.danube),
        [ENV.relayBinding]: JSON.stringify(binding),
        [ENV.relayStopMarginMs]: String(stopMarginMs),
      },
      events: [{ schedule: { rate: [settings.schedule] } }],
    };
    resources[roleId] = role({
      service: 'lambda.amazonaws.com',
      policyName: `danube-relay-${binding.name}`.slice(0, 128),
      statements: [logStatement([name]), invokeStatement([options.logicalIdOf(options.functionKeyOf(binding))]), ...tokenStatements(options.danube)],
    });
  }
  return { functions, resources };
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
