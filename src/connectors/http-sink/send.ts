import { httpStatusKind } from '../../core/classify.js';
import { ConnectorError, FatalError, InvalidRecordError, RetryableError } from '../../core/errors.js';
import { backoff, parseRetryPolicy, sleep, type RetryPolicy } from '../../core/retry.js';
import { parseRetryAfter } from '../http-poller/http-headers.js';
import type { RequestLimiter } from './limiter.js';
import type { HttpSinkConfig } from './options.js';
import type { HttpSinkRequest } from './request.js';

/** What one request came to after its retries: the response on success, the last error otherwise. */
export type SendResult = { ok: true; response: Response; text: string } | { ok: false; error: ConnectorError };

export interface SendContext {
  signal: AbortSignal;
  deadline: number;
  fetch: typeof fetch;
  now: () => number;
  /** Bounds requests in flight across every invocation of the sink (each try takes a slot). */
  limiter?: RequestLimiter;
}

// Per-config values computed once, not per request (this path runs for every record).
const prepared = new WeakMap<HttpSinkConfig, { policy: RetryPolicy; what: string }>();
function prepare(config: HttpSinkConfig) {
  let p = prepared.get(config);
  if (!p) {
    const u = new URL(config.url);
    p = {
      policy: parseRetryPolicy({ maxAttempts: config.maxAttempts, initialDelayMs: config.initialBackoffMs, maxDelayMs: config.maxBackoffMs, maxElapsedMs: 0 }),
      what: `${config.method} ${u.origin}${u.pathname}`,
    };
    prepared.set(config, p);
  }
  return p;
}

/**
 * Sends one request, retrying 408/425/429/5xx, timeouts and network errors with backoff
 * (never sooner than `Retry-After`) while the invocation's deadline allows. 400/404/422 and
 * other 4xx are `InvalidRecordError`s; 401/403/407 are `FatalError`s; neither is retried.
 */
export async function sendWithRetry(config: HttpSinkConfig, request: HttpSinkRequest, ctx: SendContext): Promise<SendResult> {
  const { policy } = prepare(config);
  for (let attempt = 1; ; attempt++) {
    const result = ctx.limiter ? await ctx.limiter.run(() => sendOnce(config, request, ctx)) : await sendOnce(config, request, ctx);
    if (result.ok || !(result.error instanceof RetryableError) || attempt >= config.maxAttempts || ctx.signal.aborted) return result;
    const delay = Math.max(backoff(attempt, policy), result.error.retryAfterMs ?? 0);
    // Waiting past the deadline helps nobody: report it and let the relay retry later.
    if (ctx.now() + delay + config.timeoutMs > ctx.deadline) return result;
    try {
      await sleep(delay, ctx.signal);
    } catch {
      return result;
    }
  }
}

// Requests in flight per invocation signal: one 'abort' listener per signal instead of one per
// request (16 concurrent requests would pass Node's listener warning threshold).
const inFlight = new WeakMap<AbortSignal, Set<AbortController>>();
function track(signal: AbortSignal, controller: AbortController): () => void {
  if (signal.aborted) {
    controller.abort(signal.reason);
    return () => {};
  }
  let set = inFlight.get(signal);
  if (!set) {
    const created = new Set<AbortController>();
    set = created;
    inFlight.set(signal, created);
    signal.addEventListener('abort', () => created.forEach((c) => c.abort(signal.reason)), { once: true });
  }
  set.add(controller);
  return () => set.delete(controller);
}

async function sendOnce(config: HttpSinkConfig, request: HttpSinkRequest, ctx: SendContext): Promise<SendResult> {
  const { what } = prepare(config);
  // One controller for both the request timeout and the invocation's signal: cheaper per request
  // than AbortSignal.timeout + AbortSignal.any on Node 20.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`no answer within ${config.timeoutMs} ms`));
  }, config.timeoutMs);
  const untrack = track(ctx.signal, controller);
  let response: Response;
  let text: string;
  try {
    response = await ctx.fetch(config.url, { method: config.method, headers: request.headers, body: request.body as BodyInit, signal: controller.signal });
    // Read the body either way so the keep-alive connection can be reused.
    text = await response.text().catch(() => '');
  } catch (err) {
    const reason = ctx.signal.aborted ? 'the invocation deadline came first' : timedOut ? `no answer within ${config.timeoutMs} ms` : (err as Error).message;
    return { ok: false, error: new RetryableError(`${what} failed: ${reason}`, { cause: err }) };
  } finally {
    clearTimeout(timer);
    untrack();
  }
  if (response.ok) return { ok: true, response, text };
  const detail = `${what} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  const kind = httpStatusKind(response.status) ?? 'invalid';
  if (kind === 'retryable') {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), ctx.now());
    return { ok: false, error: new RetryableError(detail, retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  if (kind === 'fatal') return { ok: false, error: new FatalError(detail) };
  return { ok: false, error: new InvalidRecordError(detail) };
}
