import * as z from 'zod';
import { parseWithSchema } from '../core/options.js';

/** Options of the local pipeline (`danube-connect dev`, `npm start`). */
export interface DevOptions {
  /** The service directory (where serverless.yml and functions/ are). */
  cwd?: string;
  /** serverless.yml path, relative to `cwd`. */
  config?: string;
  stage?: string;
  /** Where the broker log, the local DynamoDB, sink output and logs live, relative to `cwd`. */
  dataDir?: string;
  /** An external Danube broker instead of the embedded one (`DANUBE_SERVICE_URL`). */
  serviceUrl?: string;
  /** That broker's admin API, for provisioning (`DANUBE_ADMIN_URL`; default: its host, port 50051). */
  adminUrl?: string;
  token?: string;
  /** An external DynamoDB endpoint instead of in-process dynalite (`AWS_ENDPOINT_URL_DYNAMODB`). */
  dynamoDbEndpoint?: string;
  /** Port of the embedded broker; 0 = any free port. */
  brokerPort?: number;
  /** Run every source once at start, before its first scheduled time. */
  runSourcesAtStart?: boolean;
  /** Stop by itself after this long (headless bounded runs); undefined = until stopped. */
  durationMs?: number;
  /** How long stopping may take to drain the relay. */
  drainTimeoutMs?: number;
  /** `${param:…}` values for serverless.yml. */
  params?: Record<string, string>;
  /** Environment for `${env:…}` and for the functions (default: this process's). */
  env?: Record<string, string | undefined>;
}

export const DEFAULT_DEV_OPTIONS = Object.freeze({
  config: 'serverless.yml',
  dataDir: '.danube',
  brokerPort: 6650,
  runSourcesAtStart: true,
  drainTimeoutMs: 10_000,
});

const Schema = z.strictObject({
  cwd: z.string().min(1).optional(),
  config: z.string().min(1).default(DEFAULT_DEV_OPTIONS.config),
  stage: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .optional(),
  dataDir: z.string().min(1).default(DEFAULT_DEV_OPTIONS.dataDir),
  serviceUrl: z.url().optional(),
  adminUrl: z.url().optional(),
  token: z.string().min(1).optional(),
  dynamoDbEndpoint: z.url().optional(),
  brokerPort: z.number().int().min(0).max(65_535).default(DEFAULT_DEV_OPTIONS.brokerPort),
  runSourcesAtStart: z.boolean().default(DEFAULT_DEV_OPTIONS.runSourcesAtStart),
  durationMs: z.number().int().positive().optional(),
  drainTimeoutMs: z.number().int().min(0).max(600_000).default(DEFAULT_DEV_OPTIONS.drainTimeoutMs),
  params: z.record(z.string(), z.string()).default({}),
  env: z.record(z.string(), z.string().optional()).optional(),
});

export type ResolvedDevOptions = z.output<typeof Schema> & { cwd: string; env: Record<string, string | undefined> };

/** Fills defaults and refuses unknown keys, naming them. */
export function parseDevOptions(options: DevOptions = {}): ResolvedDevOptions {
  const parsed = parseWithSchema(Schema, options, 'dev options');
  return { ...parsed, cwd: parsed.cwd ?? process.cwd(), env: parsed.env ?? {} };
}
