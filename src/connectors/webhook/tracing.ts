// A webhook request as a span: `webhook <route path>`, the entry of the trace the published
// record carries (the producer's send span is its child). It continues the caller's W3C
// `traceparent` header, or nests under the platform's own HTTP span when one is active.
import { TRACEPARENT_ATTRIBUTE, TRACESTATE_ATTRIBUTE } from '../../core/trace-context.js';
import { activeSpanContext, markFailed, otelApiWhenOn, recordFailure, remoteSpanContext, SEMCONV, tracerOf } from '../../core/tracing.js';
import type { WebhookRoute } from './options.js';

/**
 * Handles a request under its span, or as it is when tracing is off.
 *
 * @example
 * return tracingRegistered() ? tracedRequest(req, route, () => handle(req, route)) : handle(req, route);
 */
/** The parts of a request and its answer the span reads. */
interface TracedRequest {
  method: string;
  path: string;
  headers: { get(name: string): string | null | undefined };
}

export async function tracedRequest<R extends { status: number }>(req: TracedRequest, route: WebhookRoute, handle: () => Promise<R>): Promise<R> {
  const otel = await otelApiWhenOn();
  if (otel === undefined) return handle();
  const ambient = activeSpanContext(otel);
  let parent = otel.context.active();
  if (!ambient) {
    const remote = remoteSpanContext(otel, {
      [TRACEPARENT_ATTRIBUTE]: req.headers.get(TRACEPARENT_ATTRIBUTE) ?? undefined,
      [TRACESTATE_ATTRIBUTE]: req.headers.get(TRACESTATE_ATTRIBUTE) ?? undefined,
    });
    if (remote) parent = otel.trace.setSpanContext(parent, remote);
  }
  const span = tracerOf(otel).startSpan(
    `webhook ${route.path}`,
    {
      // The entry of the request when no HTTP instrumentation made one.
      kind: ambient ? otel.SpanKind.INTERNAL : otel.SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'url.path': req.path, 'http.route': route.path, [SEMCONV.destination]: route.topic },
    },
    parent,
  );
  try {
    const res = await otel.context.with(otel.trace.setSpan(parent, span), handle);
    span.setAttribute('http.response.status_code', res.status);
    if (res.status >= 500) markFailed(otel, span, `answered ${res.status}`, String(res.status));
    return res;
  } catch (err) {
    recordFailure(otel, span, err);
    throw err;
  } finally {
    span.end();
  }
}
