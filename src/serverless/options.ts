import * as z from 'zod';
import { ConfigError } from '../core/errors.js';
import { parseWithSchema } from '../core/options.js';

/**
 * A `serverless.yml` that the Danube plugin cannot turn into a deployable service. The message
 * names the function, the event or the `custom.danube` key at fault.
 *
 * @example
 * throw new ServerlessConfigError('custom.danube.relay.container.image: required in container mode', ['relay.container.image']);
 */
export class ServerlessConfigError extends ConfigError {
  override readonly name: string = 'ServerlessConfigError';
}

export const DEFAULT_SERVICE_URL = 'http://127.0.0.1:6650';
export const DEFAULT_RELAY_MODE = 'lambda';
/** The relay Lambda runs this long, then hands over to the next scheduled run. */
export const DEFAULT_RELAY_LAMBDA_TIMEOUT_S = 300;
export const DEFAULT_RELAY_LAMBDA_MEMORY_MB = 512;
export const DEFAULT_RELAY_LAMBDA_SCHEDULE = 'rate(1 minute)';
/** Time kept at the end of a relay Lambda run to finish in-flight batches and ack them. */
export const DEFAULT_RELAY_STOP_MARGIN_MS = 15_000;
export const DEFAULT_RELAY_CONTAINER = Object.freeze({ desiredCount: 1, cpu: 256, memory: 512, metricsPort: 9464 });
/** The provisioning function's timeout: time to reach the broker, create topics and subscribe once each. */
export const DEFAULT_PROVISION_TIMEOUT_S = 120;

const ProvisionSchema = z.strictObject({
  /** A custom resource creates the bound topics and subscriptions before anything publishes. */
  enabled: z.boolean().default(true),
  /** The broker's admin API; default: the service URL's host, port 50051. */
  adminUrl: z.url().optional(),
  timeout: z.number().int().min(10).max(900).default(DEFAULT_PROVISION_TIMEOUT_S),
});

const TokenSchema = z
  .strictObject({
    /** Name of an SSM parameter (SecureString or String) holding the JWT. */
    ssmParameter: z
      .string()
      .regex(/^\/?[A-Za-z0-9_.\-/]+$/, 'an SSM parameter name like /danube/token')
      .optional(),
    /** Name or ARN of a Secrets Manager secret whose SecretString is the JWT. */
    secretsManager: z.string().min(1).optional(),
    /** Customer-managed KMS key that encrypts the parameter or secret (adds kms:Decrypt on it). */
    kmsKeyArn: z.string().startsWith('arn:').optional(),
  })
  .refine((t) => (t.ssmParameter === undefined) !== (t.secretsManager === undefined), 'give exactly one of ssmParameter or secretsManager');

const RelayLambdaSchema = z.strictObject({
  timeout: z.number().int().min(30).max(900).default(DEFAULT_RELAY_LAMBDA_TIMEOUT_S),
  memorySize: z.number().int().min(128).max(10_240).default(DEFAULT_RELAY_LAMBDA_MEMORY_MB),
  schedule: z
    .string()
    .regex(/^(rate|cron)\(.+\)$/, 'rate(...) or cron(...)')
    .default(DEFAULT_RELAY_LAMBDA_SCHEDULE),
  stopMarginMs: z.number().int().min(1_000).max(600_000).default(DEFAULT_RELAY_STOP_MARGIN_MS),
});

const RelayContainerSchema = z.strictObject({
  /** Image built from infra/relay/Dockerfile and pushed to a registry the tasks can pull from. */
  image: z.string().min(1),
  desiredCount: z.number().int().min(0).max(100).default(DEFAULT_RELAY_CONTAINER.desiredCount),
  cpu: z.number().int().min(256).max(16_384).default(DEFAULT_RELAY_CONTAINER.cpu),
  memory: z.number().int().min(512).max(122_880).default(DEFAULT_RELAY_CONTAINER.memory),
  /** An existing ECS cluster ARN; a cluster is created when omitted. */
  cluster: z.string().min(1).optional(),
  subnets: z.array(z.string().min(1)).min(1),
  securityGroups: z.array(z.string().min(1)).min(1),
  assignPublicIp: z.boolean().default(false),
  metricsPort: z.number().int().min(1).max(65_535).default(DEFAULT_RELAY_CONTAINER.metricsPort),
});

const RelaySchema = z
  .strictObject({
    mode: z.enum(['lambda', 'container', 'none']).default(DEFAULT_RELAY_MODE),
    drainTimeoutMs: z.number().int().min(0).max(900_000).optional(),
    /** The relay's `readinessGraceMs` (its `/readyz` is served in container mode, on `metricsPort`). */
    readinessGraceMs: z.number().int().min(0).max(600_000).optional(),
    lambda: RelayLambdaSchema.default(() => RelayLambdaSchema.parse({})),
    container: RelayContainerSchema.optional(),
  })
  .refine((r) => r.mode !== 'container' || r.container !== undefined, {
    message: 'relay.container (image, subnets, securityGroups) is required when relay.mode is container',
    path: ['container'],
  });

export const DanubeServiceOptionsSchema = z.strictObject({
  serviceUrl: z.url().default(DEFAULT_SERVICE_URL),
  token: TokenSchema.optional(),
  tls: z
    .strictObject({
      /** PEM of the CA that signed the broker's certificate (not a secret). */
      ca: z.string().includes('BEGIN CERTIFICATE', { message: 'a PEM certificate' }).optional(),
    })
    .optional(),
  checkpointTable: z
    .strictObject({
      /** Defaults to `<service>-<stage>-danube-checkpoints`. */
      name: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,255}$/, '3-255 letters, digits, "_", "-" or "."')
        .optional(),
    })
    .default({}),
  relay: RelaySchema.default(() => RelaySchema.parse({})),
  provision: ProvisionSchema.default(() => ProvisionSchema.parse({})),
});

/** `custom.danube` as written in serverless.yml. */
export type DanubeServiceOptionsInput = z.input<typeof DanubeServiceOptionsSchema>;
/** `custom.danube` with every default filled. */
export type DanubeServiceOptions = z.output<typeof DanubeServiceOptionsSchema>;

/**
 * Checks `custom.danube`, fills defaults and refuses unknown keys, naming them.
 *
 * @example
 * const options = parseDanubeServiceOptions(serverless.service.custom?.danube);
 * options.relay.mode; // 'lambda'
 */
export function parseDanubeServiceOptions(input: unknown): DanubeServiceOptions {
  try {
    return parseWithSchema(DanubeServiceOptionsSchema, input ?? {}, 'custom.danube');
  } catch (err) {
    const keys = err instanceof ConfigError ? err.keys : [];
    throw new ServerlessConfigError((err as Error).message, keys, { cause: err });
  }
}
