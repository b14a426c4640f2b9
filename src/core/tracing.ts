// OpenTelemetry, off by default and free when off. Whether tracing is on is read from the API's
// global registry (one property lookup, no import); `@opentelemetry/api` itself (tens of ms to
// import) is loaded only once a tracer provider is registered, so a process that never registers
// one never loads it. Users bring the SDK and exporter; this package only speaks the API.
import type * as OtelModule from '@opentelemetry/api';
import type { Attributes, Link, Span, SpanContext, Tracer } from '@opentelemetry/api';
import { formatTraceparent, MAX_TRACESTATE, parseTraceparent, TRACEPARENT_ATTRIBUTE, TRACESTATE_ATTRIBUTE, type TraceContextFields } from './trace-context.js';

/** The `@opentelemetry/api` module, as loaded. */
export type OtelApi = typeof OtelModule;

// Every copy of API 1.x registers its globals (tracer provider, context manager, propagator) on
// this one symbol, so it tells whether anyone registered a tracer provider, whichever copy did.
const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/** The instrumentation scope of every span this package makes. */
export const TRACER_NAME = 'danube-connect-serverless';
/** `messaging.system` of every messaging span this package makes. */
export const MESSAGING_SYSTEM = 'danube';

/** Attribute names of the OpenTelemetry messaging conventions, named once. */
export const SEMCONV = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  subscription: 'messaging.destination.subscription.name',
  consumerGroup: 'messaging.consumer.group.name',
  messageId: 'messaging.message.id',
  batchCount: 'messaging.batch.message_count',
  bodySize: 'messaging.message.body.size',
  errorType: 'error.type',
} as const;

/**
 * True once a tracer provider is registered with the OpenTelemetry API (by any copy of it). The
 * check every instrumented path makes first: a global lookup, no allocation, no context access.
 */
export function tracingRegistered(): boolean {
  return (globalThis as unknown as Record<symbol, { trace?: unknown } | undefined>)[API_GLOBAL]?.trace !== undefined;
}

let api: OtelApi | undefined;
let loading: Promise<OtelApi | undefined> | undefined;

/**
 * Loads `@opentelemetry/api` once. Undefined if it cannot be loaded (tracing then stays off): in
 * Worker and browser bundles `#opentelemetry-api` (package.json "imports") is an empty module.
 */
export function loadOtelApi(): Promise<OtelApi | undefined> {
  loading ??= (import('#opentelemetry-api') as Promise<Partial<OtelApi>>).then(
    (m) => (m.trace === undefined ? undefined : (api = m as OtelApi)),
    () => undefined,
  );
  return loading;
}

/**
 * The API for a synchronous caller: undefined when tracing is off, or while the API is still
 * loading (the load is started; the next caller gets it).
 */
export function otelApi(): OtelApi | undefined {
  if (!tracingRegistered()) return undefined;
  if (api === undefined) void loadOtelApi();
  return api;
}

/** The API when tracing is on (loaded now if needed); undefined when off, without loading anything. */
export async function otelApiWhenOn(): Promise<OtelApi | undefined> {
  if (!tracingRegistered()) return undefined;
  return api ?? loadOtelApi();
}

export function tracerOf(otel: OtelApi): Tracer {
  return otel.trace.getTracer(TRACER_NAME);
}

/** The messaging attributes every span of an operation carries. */
export function messagingAttributes(operationType: string, operationName: string, destination?: string): Attributes {
  const attributes: Attributes = { [SEMCONV.system]: MESSAGING_SYSTEM, [SEMCONV.operationType]: operationType, [SEMCONV.operationName]: operationName };
  if (destination !== undefined) attributes[SEMCONV.destination] = destination;
  return attributes;
}

/**
 * A remote span context from the carried W3C fields (attributes, an event, headers); undefined
 * when `traceparent` is missing or malformed. Parses once: it runs per record on the relay.
 */
export function remoteSpanContext(otel: OtelApi, carrier: Readonly<Record<string, string | undefined>> | undefined): SpanContext | undefined {
  const context: SpanContext | undefined = parseTraceparent(carrier?.[TRACEPARENT_ATTRIBUTE]);
  if (!context) return undefined;
  // OpenTelemetry knows the sampled flag only.
  context.traceFlags &= 1;
  const state = carrier?.[TRACESTATE_ATTRIBUTE];
  if (state && state.length <= MAX_TRACESTATE) context.traceState = otel.createTraceState(state);
  return context;
}

/** The W3C fields of a span context; undefined for an invalid one (e.g. from a no-op tracer). */
export function traceFieldsOf(otel: OtelApi, context: SpanContext): TraceContextFields | undefined {
  if (!otel.trace.isSpanContextValid(context)) return undefined;
  const fields: TraceContextFields = { traceparent: formatTraceparent(context.traceId, context.spanId, context.traceFlags) };
  const state = context.traceState?.serialize();
  if (state) fields.tracestate = state;
  return fields;
}

/** The span context of the active span, when there is a valid one. */
export function activeSpanContext(otel: OtelApi): SpanContext | undefined {
  const context = otel.trace.getSpanContext(otel.context.active());
  return context && otel.trace.isSpanContextValid(context) ? context : undefined;
}

/**
 * A link to the creation context a record carries in its attributes. Links carry no attributes
 * (no `messaging.message.id`): each would be one more object per record that the SDK copies and
 * checks, on the relay's per-message path; links are in the order of the batch's records.
 */
export function recordLink(otel: OtelApi, attributes: Readonly<Record<string, string>>): Link | undefined {
  const context = remoteSpanContext(otel, attributes);
  return context && { context };
}

/**
 * Marks a span failed: the exception, status ERROR with the message, and `error.type` (the
 * error's class, or `errorType` when the caller knows a better low-cardinality name).
 */
export function recordFailure(otel: OtelApi, span: Span, err: unknown, errorType?: string): void {
  const e = err instanceof Error ? err : new Error(typeof err === 'string' ? err : String(err));
  span.recordException(e);
  span.setStatus({ code: otel.SpanStatusCode.ERROR, message: e.message });
  span.setAttribute(SEMCONV.errorType, errorType ?? (e.name || '_OTHER'));
}

/** A span status of ERROR with a message, for failures that are outcomes, not exceptions. */
export function markFailed(otel: OtelApi, span: Span, message: string, errorType: string): void {
  span.setStatus({ code: otel.SpanStatusCode.ERROR, message });
  span.setAttribute(SEMCONV.errorType, errorType);
}

const NO_FIELDS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The active span's ids for a log line (`trace_id`, `span_id`, `trace_flags`): a pino mixin. With
 * tracing off or no span active it returns one shared frozen object without touching the context;
 * {@link mergeTraceLogFields} then leaves the line as it is.
 */
export function traceLogFields(): Record<string, string> {
  const otel = otelApi();
  if (otel === undefined) return NO_FIELDS;
  const context = activeSpanContext(otel);
  if (context === undefined) return NO_FIELDS;
  return { trace_id: context.traceId, span_id: context.spanId, trace_flags: `0${(context.traceFlags & 0xff).toString(16)}`.slice(-2) };
}

/** pino's mixin merge for {@link traceLogFields}: the line's own fields win, as with pino's default. */
export function mergeTraceLogFields(line: object, fields: object): object {
  return fields === NO_FIELDS ? line : Object.assign(fields, line);
}

/** The pino options that join log lines to traces. */
export const TRACE_LOG_OPTIONS = { mixin: traceLogFields, mixinMergeStrategy: mergeTraceLogFields } as const;
