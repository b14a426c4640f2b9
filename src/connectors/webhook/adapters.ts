// Thin runtime adapters: a Web `fetch` handler (Workers, Bun, Node's own servers) and an API
// Gateway HTTP API (payload v2) Lambda handler. Each only translates.
import { fromBase64, utf8 } from '../../core/bytes.js';
import type { WebhookReceiver, WebhookResponse } from './receiver.js';

/** The fields of an API Gateway HTTP API event (payload 2.0) the handler reads. */
export interface HttpApiEventLike {
  readonly rawPath?: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly http?: { readonly method?: string; readonly path?: string; readonly sourceIp?: string } };
}

/** An API Gateway HTTP API result. */
export interface HttpApiResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Reads a body stream, stopping as soon as it passes `max` bytes so an oversized upload is
 * never held in memory whole.
 */
export async function readBodyLimited(body: ReadableStream<Uint8Array> | null, declaredLength: string | null, max: number): Promise<Uint8Array | 'too-large'> {
  if (declaredLength !== null && Number(declaredLength) > max) {
    await body?.cancel().catch(() => {});
    return 'too-large';
  }
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return 'too-large';
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function toResponse(r: WebhookResponse): Response {
  return new Response(r.body, { status: r.status, headers: r.headers });
}

/**
 * A Web `fetch` handler for the webhook source.
 *
 * @example
 * export default { fetch: webhookFetchHandler(receiver) };
 */
export function webhookFetchHandler(receiver: WebhookReceiver): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    const body = await readBodyLimited(request.body, request.headers.get('content-length'), receiver.config.maxBodyBytes);
    const ip = request.headers.get('cf-connecting-ip') ?? undefined;
    return toResponse(await receiver.handle({ method: request.method, path: url.pathname, headers: request.headers, body, ...(ip ? { sourceIp: ip } : {}) }));
  };
}

/** Translates one API Gateway HTTP API (v2) event; exported for adapters that bring their own middleware. */
export async function handleApiGatewayEvent(receiver: WebhookReceiver, event: HttpApiEventLike): Promise<HttpApiResult> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers.set(k, v);
  let body: Uint8Array | 'too-large';
  const raw = event.body ?? '';
  // Base64 is 4/3 of the bytes: refuse early without decoding a huge string.
  if ((event.isBase64Encoded ? (raw.length * 3) / 4 - 2 : raw.length) > receiver.config.maxBodyBytes) body = 'too-large';
  else if (!event.isBase64Encoded) body = utf8(raw);
  else {
    try {
      body = fromBase64(raw);
    } catch {
      return { statusCode: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'body is not valid base64' }) };
    }
  }
  const res = await receiver.handle({
    method: event.requestContext?.http?.method ?? 'POST',
    path: event.rawPath ?? event.requestContext?.http?.path ?? '/',
    headers,
    body,
    ...(event.requestContext?.http?.sourceIp ? { sourceIp: event.requestContext.http.sourceIp } : {}),
  });
  return { statusCode: res.status, headers: res.headers, body: res.body };
}

/**
 * An AWS Lambda handler for API Gateway HTTP API events (payload format 2.0).
 *
 * @example
 * export const handler = webhookLambdaHandler(receiver);
 */
export function webhookLambdaHandler(receiver: WebhookReceiver): (event: HttpApiEventLike, context?: unknown) => Promise<HttpApiResult> {
  return (event) => handleApiGatewayEvent(receiver, event);
}
