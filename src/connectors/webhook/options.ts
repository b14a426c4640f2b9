import * as z from 'zod';
import { parseWithSchema } from '../../core/options.js';
import { standardWebhookSecretProblem } from '../../core/standard-webhooks.js';
import { parseJsonPath } from '../http-poller/json-path.js';

export const DEFAULT_WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_WEBHOOK_RETRY_AFTER_SEC = 5;
export const DEFAULT_WEBHOOK_HMAC_TOLERANCE_SEC = 300;
export const DEFAULT_WEBHOOK_JWT_CLOCK_SKEW_SEC = 30;

const header = z
  .string()
  .min(1)
  .transform((h) => h.toLowerCase());

const AuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('api-key'), header: header.default('x-api-key'), keys: z.array(z.string().min(8)).min(1) }),
  z.strictObject({
    type: z.literal('hmac'),
    secret: z.string().min(8),
    header: header.default('x-signature'),
    algorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha256'),
    encoding: z.enum(['hex', 'base64']).default('hex'),
    format: z.enum(['plain', 'timestamped']).default('plain'),
    prefix: z.string().default(''),
    toleranceSec: z.number().int().min(1).default(DEFAULT_WEBHOOK_HMAC_TOLERANCE_SEC),
  }),
  z
    .strictObject({
      type: z.literal('standard-webhooks'),
      /** `whsec_<base64>`, as Standard Webhooks senders show it. */
      secret: z.string(),
      toleranceSec: z.number().int().min(1).default(DEFAULT_WEBHOOK_HMAC_TOLERANCE_SEC),
    })
    .superRefine((auth, ctx) => {
      const problem = standardWebhookSecretProblem(auth.secret);
      if (problem) ctx.addIssue({ code: 'custom', path: ['secret'], message: problem });
    }),
  z.strictObject({
    type: z.literal('jwt'),
    secret: z.string().min(16),
    issuer: z.string().optional(),
    audience: z.string().optional(),
    requireExp: z.boolean().default(true),
    clockSkewSec: z.number().int().min(0).default(DEFAULT_WEBHOOK_JWT_CLOCK_SKEW_SEC),
  }),
]);

const jsonPath = z.string().refine((p) => {
  try {
    parseJsonPath(p);
    return true;
  } catch {
    return false;
  }
}, 'not a JSON path such as $.id');

const RouteSchema = z.strictObject({
  path: z.string().regex(/^\/[^?#]*$/, 'a path starting with "/"'),
  topic: z.string().regex(/^\/[^/]+\/[^/]+$/, 'a Danube topic such as /default/events'),
  auth: AuthSchema.optional(),
  keyHeader: header.optional(),
  keyField: jsonPath.optional(),
  partitions: z.number().int().min(1).optional(),
});

const WebhookSchema = z
  .strictObject({
    routes: z.array(RouteSchema).min(1),
    auth: AuthSchema.default({ type: 'none' }),
    maxBodyBytes: z.number().int().min(1).default(DEFAULT_WEBHOOK_MAX_BODY_BYTES),
    requireJson: z.boolean().default(true),
    basePath: z
      .string()
      .regex(/^(\/[^?#]*)?$/)
      .default(''),
    retryAfterSec: z.number().int().min(1).default(DEFAULT_WEBHOOK_RETRY_AFTER_SEC),
    forwardHeaders: z.array(header).default([]),
    attributes: z.record(z.string(), z.string()).default({}),
    /**
     * Where an authenticated request that can never become a record goes (a body that is not JSON
     * where JSON is required, one the broker refuses for good): stored there and answered 202,
     * instead of refused with a 4xx the sender cannot act on.
     */
    deadLetterTopic: z
      .string()
      .regex(/^\/[^/]+\/[^/]+$/, 'a Danube topic such as /default/webhooks-dlq')
      .optional(),
  })
  .superRefine((o, ctx) => {
    const seen = new Set<string>();
    o.routes.forEach((r, i) => {
      if (seen.has(r.path)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'path'], message: `duplicate route ${r.path}` });
      seen.add(r.path);
    });
  });

/** Webhook source configuration (see docs/connectors/webhook.md). */
export type WebhookOptions = z.input<typeof WebhookSchema>;
export type WebhookConfig = z.output<typeof WebhookSchema>;
export type WebhookAuthConfig = z.output<typeof AuthSchema>;
export type WebhookRoute = z.output<typeof RouteSchema>;

/**
 * Fills defaults and rejects unknown keys, naming them.
 *
 * @example
 * const config = parseWebhookOptions({
 *   auth: { type: 'hmac', secret: process.env.GITHUB_SECRET!, header: 'x-hub-signature-256', prefix: 'sha256=' },
 *   routes: [{ path: '/github', topic: '/default/github', keyHeader: 'x-github-delivery' }],
 * });
 */
export function parseWebhookOptions(options: WebhookOptions): WebhookConfig {
  return parseWithSchema(WebhookSchema, options, 'webhook options');
}
