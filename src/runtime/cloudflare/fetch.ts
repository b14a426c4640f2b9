import type { Logger } from '../../core/logger.js';
import { fromUtf8 } from '../../core/bytes.js';
import { checkOptions, enumRule, intRule, objectRule, optional, type OptionRule } from '../../core/check-options.js';
import { ConfigError } from '../../core/errors.js';
import { DEFAULT_SIGNATURE_TOLERANCE_SECONDS } from '../../core/signing.js';
import { standardWebhookSecretProblem } from '../../core/standard-webhooks.js';
import { ACCEPTED_SIGNATURES, verifyRelayRequest, type AcceptedSignatures } from '../../core/verify-request.js';
import type { Sink } from '../../sink/define.js';
import { SinkEventError } from '../../sink/event.js';
import { quietLogger } from '../../sink/quiet-logger.js';
import { runSink } from '../../sink/run.js';
import { fromEnv, type FromEnv } from './types.js';

/** Header the relay may send: the invocation deadline in ms since the epoch. */
export const DEADLINE_HEADER = 'x-danube-deadline';

export interface FetchSinkOptions<Env = unknown> {
  /** The relay binding's signing secret (or several, during rotation), or a function of `env`. */
  secret: FromEnv<string | readonly string[] | undefined, Env>;
  /**
   * Which signatures are accepted: `either` (default) the relay's `x-danube-signature` or the
   * Standard Webhooks headers (verified with the `whsec_` secrets among `secret`), so the relay's
   * `signature` can be switched without redeploying the Worker; or only `danube`, or only
   * `standard-webhooks`.
   */
  signature?: AcceptedSignatures;
  /** Oldest accepted signature, in seconds (default 300). */
  toleranceSeconds?: number;
  logger?: Logger;
}

const secretRule: OptionRule<unknown> = {
  default: undefined,
  required: true,
  check: (v) =>
    typeof v === 'function' || typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))
      ? undefined
      : 'must be a string, a list of strings, or a function of env',
};

const FETCH_SINK_RULES = {
  secret: secretRule,
  signature: enumRule<AcceptedSignatures>('either', ACCEPTED_SIGNATURES),
  toleranceSeconds: intRule(DEFAULT_SIGNATURE_TOLERANCE_SECONDS, 1),
  logger: optional(objectRule<Logger>(quietLogger)),
} satisfies Record<string, OptionRule<unknown>>;

/** The secrets a scheme can verify with: Standard Webhooks only has `whsec_` keys. */
function usableSecrets(secret: string | readonly string[], accept: AcceptedSignatures): string[] {
  const all = typeof secret === 'string' ? [secret] : [...secret];
  return accept === 'standard-webhooks' ? all.filter((s) => standardWebhookSecretProblem(s) === undefined) : all;
}

const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * A Web-standard `fetch` handler for a sink (Cloudflare Workers, Deno, Bun, Node 20 behind any
 * Request/Response server). It verifies the relay's HMAC signature, `x-danube-signature` or
 * Standard Webhooks (401 when missing, wrong or stale), checks the event (400 naming the field),
 * runs the sink and answers 200 with the
 * partial-batch JSON, or 500 with the error when the whole batch failed, so the relay retries.
 * No Node-only API: import it from `runtime/cloudflare/worker` in a Worker.
 *
 * @example
 * export default { fetch: fetchSink(sink, { secret: (env) => env.DANUBE_SIGNING_SECRET }) };
 */
export function fetchSink<Env = unknown>(sink: Sink, input: FetchSinkOptions<Env>) {
  const options = checkOptions(input, FETCH_SINK_RULES, 'fetchSink options');
  const accept = options.signature;
  const logger = options.logger ?? quietLogger;
  const secretOption = options.secret as FetchSinkOptions<Env>['secret'];
  if (typeof secretOption !== 'function' && secretOption !== undefined && secretOption.length > 0 && usableSecrets(secretOption, accept).length === 0) {
    throw new ConfigError('invalid fetchSink options: secret: with signature standard-webhooks a secret must be written whsec_<base64 key of 24 to 64 bytes>', [
      'secret',
    ]);
  }
  return async (request: Request, env?: Env): Promise<Response> => {
    if (request.method !== 'POST') return json(405, { error: 'use POST with a danube.sink.batch.v1 event' });
    const given = fromEnv(secretOption, env as Env);
    const secret = given ? usableSecrets(given, accept) : [];
    if (secret.length === 0) {
      logger.error({ signature: accept }, 'fetchSink has no usable signing secret: refusing every request');
      return json(500, { error: 'sink has no signing secret configured' });
    }
    const body = new Uint8Array(await request.arrayBuffer());
    const check = await verifyRelayRequest(secret, body, request.headers, { accept, toleranceSeconds: options.toleranceSeconds });
    if (!check.ok) {
      logger.warn({ reason: check.reason }, 'refused a request with a bad signature');
      return json(401, { error: `signature ${check.reason}` });
    }
    let event: unknown;
    try {
      event = JSON.parse(fromUtf8(body));
    } catch {
      return json(400, { error: 'body is not JSON', field: '(body)' });
    }
    const deadlineHeader = Number(request.headers.get(DEADLINE_HEADER));
    try {
      const outcome = await runSink(sink, event, {
        logger,
        signal: request.signal,
        env,
        ...(deadlineHeader > 0 ? { deadline: deadlineHeader } : {}),
      });
      if (outcome.status === 'failed') {
        const error = outcome.error!;
        return json(500, { error: { name: error.name, message: error.message, kind: error.kind } });
      }
      return json(200, { batchItemFailures: outcome.failures });
    } catch (err) {
      if (err instanceof SinkEventError) return json(400, { error: err.message, field: err.field });
      throw err;
    }
  };
}
