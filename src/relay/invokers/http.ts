import { ConfigError } from '../../core/errors.js';
import { checkOptions, enumRule, intRule, objectRule, optional, required, stringRule, type OptionRule } from '../../core/check-options.js';
import { parseRetryAfter } from '../../core/classify.js';
import { SIGNATURE_SCHEMES, signRequest, type SignatureScheme } from '../../core/signing.js';
import { signStandardWebhook, standardWebhookSecretProblem } from '../../core/standard-webhooks.js';
import { encodeSinkBatch } from '../../sink/event.js';
import { InvokeError } from '../errors.js';
import { readAnswer } from './answer.js';
import { checkHttpTarget } from './check.js';
import { batchMessageId } from './message-id.js';
import type { InvokeBatch, InvokeResult, Invoker } from './types.js';

export interface HttpInvokerOptions {
  url: string;
  /**
   * HMAC secret of every request. With `signature: 'danube'` any string of 16 characters or more;
   * with `'standard-webhooks'` a `whsec_<base64>` key of 24 to 64 bytes.
   */
  secret: string;
  /**
   * `danube` (default): `x-danube-signature: t=<unix>,v1=<hex>`. `standard-webhooks`:
   * `webhook-id` (the same for every retry of the same records), `webhook-timestamp` and
   * `webhook-signature: v1,<base64>`, which any Standard Webhooks library verifies.
   */
  signature?: SignatureScheme;
  headers?: Record<string, string>;
  timeoutMs: number;
}

const HTTP_INVOKER_RULES = {
  url: required(stringRule('', /^https?:\/\//, 'an http:// or https:// URL')),
  secret: required(stringRule('')),
  signature: enumRule<SignatureScheme>('danube', SIGNATURE_SCHEMES),
  headers: optional(objectRule<Record<string, string>>({})),
  timeoutMs: required(intRule(0, 1)),
} satisfies Record<string, OptionRule<unknown>>;

/**
 * Invokes an HTTP sink (a Cloudflare Worker, a container, the fetch adapter): POSTs the signed
 * batch event as JSON. 2xx → the partial-batch answer (empty body = all succeeded); 429 →
 * throttled (honours Retry-After); 5xx, network errors and timeouts → retryable; other 4xx → the
 * whole batch failed.
 *
 * @example
 * const invoker = createHttpInvoker({ url: 'https://sink.example.workers.dev', secret, timeoutMs: 30_000 });
 */
export function createHttpInvoker(input: HttpInvokerOptions): Invoker {
  const options = checkOptions(input, HTTP_INVOKER_RULES, 'HTTP invoker options');
  const problem =
    options.signature === 'standard-webhooks'
      ? standardWebhookSecretProblem(options.secret)
      : options.secret.length < 16
        ? 'must be at least 16 characters'
        : undefined;
  if (problem) throw new ConfigError(`invalid HTTP invoker options: secret: ${problem}`, ['secret']);
  const sign =
    options.signature === 'standard-webhooks'
      ? async (batch: InvokeBatch, body: string) => ({
          'content-type': 'application/json',
          ...(await signStandardWebhook(options.secret, await batchMessageId(batch), body)),
        })
      : (_batch: InvokeBatch, body: string) => signRequest(options.secret, body);
  return {
    kind: 'http',
    remote: true,
    async invoke(batch: InvokeBatch): Promise<InvokeResult> {
      const event = encodeSinkBatch(
        batch.records.map((r) => r.toInit()),
        batch.meta,
      );
      const body = JSON.stringify(event);
      const timeoutMs = Math.max(1, Math.min(options.timeoutMs, batch.deadline - Date.now()));
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = AbortSignal.any([batch.signal, timeout]);
      let res: Response;
      try {
        res = await fetch(options.url, {
          method: 'POST',
          body,
          headers: { ...(options.headers ?? {}), ...traceHeaders(batch), ...(await sign(batch, body)) },
          signal,
        });
      } catch (err) {
        if (timeout.aborted) throw new InvokeError(`no answer from ${options.url} within ${timeoutMs} ms`, 'timeout', 'retryable', { cause: err });
        if (batch.signal.aborted) throw new InvokeError('invocation abandoned: the relay is shutting down', 'timeout', 'retryable', { cause: err });
        throw new InvokeError(`cannot reach ${options.url}: ${describe(err)}`, 'network', 'retryable', { cause: err });
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        const reason = timeout.aborted ? 'timeout' : 'network';
        throw new InvokeError(`answer from ${options.url} cut short: ${describe(err)}`, reason, 'retryable', { cause: err });
      }
      if (res.status === 429) {
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
        throw new InvokeError(`HTTP 429 from ${options.url}`, 'throttled', 'retryable', {
          status: 429,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      if (res.status >= 500)
        throw new InvokeError(`HTTP ${res.status} from ${options.url}: ${text.slice(0, 200)}`, 'server-error', 'retryable', { status: res.status });
      if (res.status === 401 || res.status === 403) {
        // The sink refused the relay itself (wrong secret, expired key): no record is at fault.
        throw new InvokeError(`HTTP ${res.status} from ${options.url}: the sink refused the relay's credentials or signature`, 'config', 'fatal', {
          status: res.status,
        });
      }
      if (res.status < 200 || res.status >= 300) {
        throw new InvokeError(`HTTP ${res.status} from ${options.url}: ${text.slice(0, 200)}`, 'http-status', 'fatal', { status: res.status });
      }
      return readAnswer(
        text,
        event.records.map((r) => r.id),
      );
    },
    check: () => checkHttpTarget(options.url),
    async close() {},
  };
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The invocation's trace context as W3C headers too, for the platform's own HTTP
 * instrumentation; the sink reads the copy in the signed body.
 */
function traceHeaders(batch: InvokeBatch): Record<string, string> {
  const { traceparent, tracestate } = batch.meta;
  if (traceparent === undefined) return NO_HEADERS;
  return tracestate === undefined ? { traceparent } : { traceparent, tracestate };
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
