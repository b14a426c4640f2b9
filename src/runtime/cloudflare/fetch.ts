import type { Logger } from '../../core/logger.js';
import { fromUtf8 } from '../../core/bytes.js';
import { DEFAULT_SIGNATURE_TOLERANCE_SECONDS, SIGNATURE_HEADER, verifySignature } from '../../core/signing.js';
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
  /** Oldest accepted signature, in seconds (default 300). */
  toleranceSeconds?: number;
  logger?: Logger;
}

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * A Web-standard `fetch` handler for a sink (Cloudflare Workers, Deno, Bun, Node 20 behind any
 * Request/Response server). It verifies the relay's HMAC signature (401 when missing, wrong or
 * stale), checks the event (400 naming the field), runs the sink and answers 200 with the
 * partial-batch JSON, or 500 with the error when the whole batch failed, so the relay retries.
 * No Node-only API: import it from `runtime/cloudflare/worker` in a Worker.
 *
 * @example
 * export default { fetch: fetchSink(sink, { secret: (env) => env.DANUBE_SIGNING_SECRET }) };
 */
export function fetchSink<Env = unknown>(sink: Sink, options: FetchSinkOptions<Env>) {
  const tolerance = options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  const logger = options.logger ?? quietLogger;
  return async (request: Request, env?: Env): Promise<Response> => {
    if (request.method !== 'POST') return json(405, { error: 'use POST with a danube.sink.batch.v1 event' });
    const secret = fromEnv(options.secret, env as Env);
    if (!secret || secret.length === 0) {
      logger.error('fetchSink has no signing secret: refusing every request');
      return json(500, { error: 'sink has no signing secret configured' });
    }
    const body = new Uint8Array(await request.arrayBuffer());
    const check = await verifySignature(secret, body, request.headers.get(SIGNATURE_HEADER), { toleranceSeconds: tolerance });
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
        logger, signal: request.signal, env, ...(deadlineHeader > 0 ? { deadline: deadlineHeader } : {}),
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
