// W3C Trace Context (https://www.w3.org/TR/trace-context/) as it travels with Danube records, in
// sink batch events and in HTTP headers. Plain strings only, no OpenTelemetry import: records and
// events outlive the process that wrote them and are read by processes whose propagators may be
// configured otherwise (X-Ray on Lambda), so the format is fixed here rather than left to the
// global propagator.

/** The message attribute (and HTTP header, and batch event field) holding a record's creation context. */
export const TRACEPARENT_ATTRIBUTE = 'traceparent';
/** Vendor-specific trace state that travels with {@link TRACEPARENT_ATTRIBUTE}. */
export const TRACESTATE_ATTRIBUTE = 'tracestate';

/** A trace context as it is carried: the two W3C fields. */
export interface TraceContextFields {
  traceparent: string;
  tracestate?: string;
}

/**
 * The parts of a well-formed `traceparent`; shaped as an OpenTelemetry span context read from a
 * carrier (`isRemote`), so that the relay makes one object per record, not two.
 */
export interface ParsedTraceparent {
  traceId: string;
  spanId: string;
  /** Bit 0 is "sampled". */
  traceFlags: number;
  isRemote: true;
}

const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';
/** The spec lets a vendor's tracestate reach 512 characters; longer ones may be dropped. */
export const MAX_TRACESTATE = 512;

/** Lower-case hex digits only, in `value[from, to)`. Read per record on the relay's path: no regex, no copy. */
function isHex(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * Reads a `traceparent` value; undefined for anything malformed, as the W3C specification asks
 * (an invalid value is ignored, never an error). Versions above 00 are read by their 00 prefix.
 *
 * @example
 * parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
 * // { traceId: '4bf9…4736', spanId: '00f0…02b7', traceFlags: 1 }
 */
export function parseTraceparent(value: unknown): ParsedTraceparent | undefined {
  if (typeof value !== 'string' || value.length < 55) return undefined;
  if (!isHex(value, 0, 2) || value.startsWith('ff')) return undefined;
  // Version 00 is exactly 55 characters; a later version may append fields after a dash.
  if (value.startsWith('00') ? value.length !== 55 : value.length > 55 && value[55] !== '-') return undefined;
  if (value[2] !== '-' || value[35] !== '-' || value[52] !== '-') return undefined;
  if (!isHex(value, 3, 35) || !isHex(value, 36, 52) || !isHex(value, 53, 55)) return undefined;
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, traceFlags: parseInt(value.slice(53, 55), 16), isRemote: true };
}

/** The `traceparent` of a span context (version 00). */
export function formatTraceparent(traceId: string, spanId: string, traceFlags: number): string {
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * The trace context carried by message attributes (or any string map), when it holds a
 * well-formed `traceparent`.
 */
export function traceContextOf(carrier: Readonly<Record<string, string | undefined>> | undefined): TraceContextFields | undefined {
  const traceparent = carrier?.[TRACEPARENT_ATTRIBUTE];
  if (traceparent === undefined || parseTraceparent(traceparent) === undefined) return undefined;
  const tracestate = carrier?.[TRACESTATE_ATTRIBUTE];
  return tracestate && tracestate.length <= MAX_TRACESTATE ? { traceparent, tracestate } : { traceparent };
}

/** A copy of `attributes` without the trace context fields (for a record forwarded under a new context). */
export function withoutTraceContext(attributes: Record<string, string>): Record<string, string> {
  if (attributes[TRACEPARENT_ATTRIBUTE] === undefined && attributes[TRACESTATE_ATTRIBUTE] === undefined) return attributes;
  const { [TRACEPARENT_ATTRIBUTE]: _parent, [TRACESTATE_ATTRIBUTE]: _state, ...rest } = attributes;
  return rest;
}
