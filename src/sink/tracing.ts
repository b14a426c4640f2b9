// A sink invocation as a span: `process <topic>` (CONSUMER), active while the handler runs, so the
// handler's own work joins the trace. No Node built-in here (Workers run sinks too).
import type { Context, Link, Span } from '@opentelemetry/api';
import type { SinkRecord } from '../core/records.js';
import { activeSpanContext, messagingAttributes, otelApiWhenOn, recordFailure, recordLink, remoteSpanContext, SEMCONV, tracerOf } from '../core/tracing.js';
import type { SinkBatchMeta } from './event.js';

/** The span of one sink invocation. */
export interface SinkTrace {
  /** Runs `fn` (the handler) with the sink's span active. */
  with<T>(fn: () => T): T;
  /** Ends the span with what the invocation came to. */
  end(outcome: { status: 'success' | 'partial' | 'failed'; failures: readonly unknown[]; error?: Error }): void;
}

/**
 * The span of an invocation, or undefined when tracing is off or there is nothing to join: no
 * invocation context, no active span, and no record carrying a creation context.
 *
 * Its parent: the active span when the platform's instrumentation already continued the
 * invocation's trace (or when the invocation carries none); otherwise the invocation's context
 * (`traceparent` of the batch event, written by the relay's `invoke` span), so that the sink's
 * work joins the relay's trace even where the platform cannot carry it (a Lambda traced by
 * X-Ray); a span active in another trace is then linked. Every record's creation context is a link.
 *
 * @example
 * const trace = tracingRegistered() ? await startSinkTrace('orders', batch, records) : undefined;
 * const answer = await (trace ? trace.with(() => handler(records, ctx)) : handler(records, ctx));
 */
export async function startSinkTrace(sinkName: string, meta: SinkBatchMeta, records: readonly SinkRecord[]): Promise<SinkTrace | undefined> {
  const otel = await otelApiWhenOn();
  if (otel === undefined) return undefined;
  const links: Link[] = [];
  for (const r of records) {
    const link = recordLink(otel, r.attributes);
    if (link) links.push(link);
  }
  const ambient = activeSpanContext(otel);
  const carried = remoteSpanContext(otel, { traceparent: meta.traceparent, tracestate: meta.tracestate });
  if (!ambient && !carried && links.length === 0) return undefined;
  let parent: Context = otel.context.active();
  if (carried && ambient?.traceId !== carried.traceId) {
    if (ambient) links.push({ context: ambient });
    parent = otel.trace.setSpanContext(otel.context.active(), carried);
  }
  const attributes = messagingAttributes('process', 'process', meta.topic);
  attributes[SEMCONV.batchCount] = records.length;
  attributes[SEMCONV.subscription] = meta.subscription;
  attributes[SEMCONV.consumerGroup] = meta.subscription;
  attributes['danube.relay.binding'] = meta.binding;
  attributes['danube.sink.name'] = sinkName;
  const span: Span = tracerOf(otel).startSpan(`process ${meta.topic}`, { kind: otel.SpanKind.CONSUMER, attributes, links }, parent);
  const active = otel.trace.setSpan(parent, span);
  return {
    with: (fn) => otel.context.with(active, fn),
    end(outcome) {
      if (outcome.status === 'failed') recordFailure(otel, span, outcome.error ?? new Error('sink failed'));
      else if (outcome.failures.length > 0) span.setAttribute('danube.sink.failed_records', outcome.failures.length);
      span.end();
    },
  };
}
