// The producer's part in tracing: a `send` span per message sent while a span is active, whose
// context the message carries as its creation context (W3C `traceparent` / `tracestate`
// attributes), so that whoever consumes it can join or link the trace.
import { splitPartition } from '../core/dead-letter.js';
import { RECORD_ID_ATTRIBUTE } from '../core/attributes.js';
import { TRACEPARENT_ATTRIBUTE } from '../core/trace-context.js';
import { activeSpanContext, messagingAttributes, otelApi, recordFailure, SEMCONV, traceFieldsOf, tracerOf } from '../core/tracing.js';
import type { SendResult } from './pending-send.js';

interface TracedSendOptions {
  attributes?: Record<string, string>;
  key?: string;
  signal?: AbortSignal;
}

/**
 * Sends under a `send <topic>` PRODUCER span when a span is active, its context added to the
 * message's attributes; undefined (the caller sends untraced) when tracing is off, nothing is
 * active, or the message already carries a creation context: that one was set by whoever owns
 * it (a source batch, a dead letter keeping its original's) and is kept, as the messaging
 * conventions ask.
 */
export function tracedSend(
  topic: string,
  options: TracedSendOptions | undefined,
  send: (options: TracedSendOptions) => Promise<SendResult>,
): Promise<SendResult> | undefined {
  const otel = otelApi();
  if (otel === undefined || options?.attributes?.[TRACEPARENT_ATTRIBUTE] !== undefined) return undefined;
  const parent = activeSpanContext(otel);
  if (parent === undefined) return undefined;
  const attributes = messagingAttributes('send', 'send', topic);
  const recordId = options?.attributes?.[RECORD_ID_ATTRIBUTE];
  if (recordId !== undefined) attributes[SEMCONV.messageId] = recordId;
  const span = tracerOf(otel).startSpan(`send ${topic}`, { kind: otel.SpanKind.PRODUCER, attributes });
  const fields = traceFieldsOf(otel, span.spanContext());
  // A sampled-out parent gives a non-recording span with a valid context: it is still written,
  // so consumers make the same sampling decision.
  if (fields === undefined) {
    span.end();
    return undefined;
  }
  return send({ ...options, attributes: { ...options?.attributes, ...fields } }).then(
    (result) => {
      const { partition } = splitPartition(result.topic);
      if (partition !== undefined) span.setAttribute(SEMCONV.partition, String(partition));
      span.end();
      return result;
    },
    (err: unknown) => {
      recordFailure(otel, span, err);
      span.end();
      throw err;
    },
  );
}
