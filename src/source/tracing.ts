// A source run as a trace: `run <source>` (the root, or a child of the platform's span), with a
// `poll <source>` span per poll, a `publish <topic>` span per batch whose context every record of
// the batch carries as its creation context, and a `commit <source>` span per checkpoint commit.
// Made only when a tracer provider is registered; the runner calls through `step()` otherwise.
import type { Context, Link, Span } from '@opentelemetry/api';
import type { TraceContextFields } from '../core/trace-context.js';
import { messagingAttributes, otelApiWhenOn, recordFailure, recordLink, SEMCONV, traceFieldsOf, tracerOf, type OtelApi } from '../core/tracing.js';
import { SourceRunError } from './errors.js';
import type { SourceRunSummary } from './summary.js';

/** Steps of a run that get a span of their own. */
export type SourceStep = 'poll' | 'commit';

/** The spans of one source run. */
export interface SourceRunTrace {
  readonly otel: OtelApi;
  /** The run span's context: the explicit parent of the run's spans (no context manager needed). */
  readonly context: Context;
  /** Runs `fn` (the run) with the run span active; ends it with the run's summary or failure. */
  around(fn: () => Promise<SourceRunSummary>): Promise<SourceRunSummary>;
  /** One step under its own span (active while it runs); `describe` adds attributes from its result. */
  step<T>(step: SourceStep, fn: () => Promise<T>, describe?: (result: T, span: Span) => void): Promise<T>;
}

/**
 * The trace of a run of `source`, or undefined when tracing is off (nothing is loaded then).
 *
 * @example
 * const trace = await startSourceRunTrace('orders', 'shop/orders');
 * return trace ? trace.around(() => run(trace)) : run(undefined);
 */
export async function startSourceRunTrace(source: string, key: string): Promise<SourceRunTrace | undefined> {
  const otel = await otelApiWhenOn();
  if (otel === undefined) return undefined;
  const tracer = tracerOf(otel);
  const span = tracer.startSpan(`run ${source}`, { kind: otel.SpanKind.INTERNAL, attributes: { 'danube.source.name': source, 'danube.source.key': key } });
  const runContext = otel.trace.setSpan(otel.context.active(), span);
  return {
    otel,
    context: runContext,
    async around(fn) {
      try {
        const summary = await otel.context.with(runContext, fn);
        describeRun(span, summary);
        return summary;
      } catch (err) {
        if (err instanceof SourceRunError) describeRun(span, err.summary);
        recordFailure(otel, span, err instanceof SourceRunError && err.cause !== undefined ? err.cause : err);
        throw err;
      } finally {
        span.end();
      }
    },
    async step(step, fn, describe) {
      const child = tracer.startSpan(`${step} ${source}`, { kind: otel.SpanKind.CLIENT, attributes: { 'danube.source.name': source } }, runContext);
      try {
        const result = await otel.context.with(otel.trace.setSpan(runContext, child), fn);
        describe?.(result, child);
        return result;
      } catch (err) {
        recordFailure(otel, child, err);
        throw err;
      } finally {
        child.end();
      }
    },
  };
}

/** Runs a step under its span when the run is traced, as it is otherwise. */
export function step<T>(trace: SourceRunTrace | undefined, name: SourceStep, fn: () => Promise<T>, describe?: (result: T, span: Span) => void): Promise<T> {
  return trace ? trace.step(name, fn, describe) : fn();
}

function describeRun(span: Span, s: SourceRunSummary): void {
  span.setAttributes({
    'danube.source.stop_reason': s.stopReason,
    'danube.source.records_published': s.recordsPublished,
    'danube.source.records_dead_lettered': s.recordsDeadLettered,
    'danube.source.batches': s.batches,
  });
}

/** One batch's `publish` span and the creation context its records carry. */
export interface PublishTrace {
  /** What each record without a creation context of its own gets. */
  readonly fields: TraceContextFields;
  end(outcome: { published: number; deadLettered: number } | undefined, err?: unknown): void;
}

/**
 * The `publish` span of one batch (PRODUCER: its context is the creation context of the batch's
 * records), a child of the run's span, linked to the creation contexts records already carried;
 * undefined when the run is not traced.
 */
export function startPublishTrace(
  run: SourceRunTrace | undefined,
  source: string,
  topics: ReadonlySet<string>,
  records: ReadonlyArray<{ attributes?: Readonly<Record<string, string>> }>,
): PublishTrace | undefined {
  if (run === undefined) return undefined;
  const otel = run.otel;
  const links: Link[] = [];
  for (const r of records) {
    const link = r.attributes ? recordLink(otel, r.attributes) : undefined;
    if (link) links.push(link);
  }
  const [only] = topics.size === 1 ? topics : [undefined];
  const attributes = messagingAttributes('send', 'publish', only);
  attributes[SEMCONV.batchCount] = records.length;
  attributes['danube.source.name'] = source;
  const span = tracerOf(otel).startSpan(only ? `publish ${only}` : 'publish', { kind: otel.SpanKind.PRODUCER, attributes, links }, run.context);
  const fields = traceFieldsOf(otel, span.spanContext());
  if (fields === undefined) {
    span.end();
    return undefined;
  }
  return {
    fields,
    end(outcome, err) {
      if (outcome) span.setAttributes({ 'danube.source.records_published': outcome.published, 'danube.source.records_dead_lettered': outcome.deadLettered });
      if (err !== undefined) recordFailure(otel, span, err);
      span.end();
    },
  };
}
