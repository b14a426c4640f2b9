// A relay batch as a trace (made only when a tracer provider is registered and at least one
// record of the batch carries a creation context):
//
//   relay <topic>        CONSUMER, "process": from the first receipt to the last ack; links to
//   │                    every record's creation context, and is their child when the batch
//   │                    holds one creation context (one record, or one source batch)
//   ├─ receive <topic>   CLIENT: from the first receipt until the batch was cut (batching wait)
//   ├─ invoke <binding>  CLIENT: the invocation; its context reaches the function (event field,
//   │                    HTTP headers; for an in-process sink, the batch it is handed)
//   ├─ ack <topic>       CLIENT, "settle": the acks of the records that succeeded
//   └─ dead-letter <dlq> CLIENT, "send": one per dead-lettered record
//
// Every parent is passed explicitly; the relay never makes a context active. Making one active
// (context.with) switches on the context manager's async context propagation for the whole
// process (on Node 20 and 22 an async hook on every promise), a cost the relay's per-message path
// would pay for nothing: only user code needs it, and runSink activates the sink's span for the
// handler it runs.
import type { Context, Link, Span, SpanContext } from '@opentelemetry/api';
import {
  markFailed,
  messagingAttributes,
  otelApi,
  otelApiWhenOn,
  recordFailure,
  recordLink,
  remoteSpanContext,
  SEMCONV,
  traceFieldsOf,
  tracerOf,
  type OtelApi,
} from '../core/tracing.js';
import type { BindingConfig, FunctionConfig } from './config-schema.js';
import { InvokeError } from './errors.js';
import type { InvokeBatch, InvokeResult } from './invokers/types.js';
import type { RelayDeadLetter } from './dead-letter.js';
import type { BatchOutcome } from './settle-batch.js';
import type { RelayMessage, TrackedRecord } from './tracked-record.js';

/** The spans of one batch; the binding runner reports each stage to it. */
export interface BatchTrace {
  /** `trace_id` and `span_id` of the batch's span, for the batch's log lines. */
  readonly logFields: Readonly<Record<string, string>>;
  /** Runs the invocation under the `invoke` span, its context in the batch's meta. */
  invoke(batch: InvokeBatch, invoke: (batch: InvokeBatch) => Promise<InvokeResult>): Promise<InvokeResult>;
  /** An ack of one of the batch's records was started. */
  ack(done: Promise<void>): void;
  /** A dead-letter publish of one of the batch's records, under its own span. */
  deadLetter(record: TrackedRecord<RelayMessage>, topic: string, why: RelayDeadLetter, publish: () => Promise<void>): Promise<void>;
  /** Every decision of the batch was taken: the spans end once its acks and dead letters are done. */
  settled(outcome: BatchOutcome, counts: { acked: number; retried: number; deadLettered: number }): void;
}

/**
 * The trace of a batch that was just cut, or undefined when tracing is off or none of its
 * records carries a creation context (untraced records make no spans).
 *
 * @example
 * const trace = tracingRegistered() ? await startBatchTrace(batch.records, binding, batch.startedAt) : undefined;
 */
export async function startBatchTrace(records: readonly TrackedRecord<RelayMessage>[], binding: BindingConfig, cutAt: number): Promise<BatchTrace | undefined> {
  const otel = await otelApiWhenOn();
  if (otel === undefined) return undefined;
  const links: Link[] = [];
  let firstReceipt = Infinity;
  for (const r of records) {
    const link = recordLink(otel, r.msg.attributes);
    if (link) links.push(link);
    // A retried record was received long ago: only first attempts measure the batching wait.
    if (r.attempts === 1 && r.receivedAt < firstReceipt) firstReceipt = r.receivedAt;
  }
  if (links.length === 0) return undefined;
  const tracer = tracerOf(otel);
  const b = binding;
  const attributes = messagingAttributes('process', 'relay', b.topic);
  attributes[SEMCONV.batchCount] = records.length;
  attributes[SEMCONV.subscription] = b.subscription.name;
  attributes[SEMCONV.consumerGroup] = b.subscription.name;
  attributes['danube.relay.binding'] = b.name;
  // Never a child of whatever happens to be active in the relay: of the records' one creation
  // context, or a root.
  const base = otel.trace.deleteSpan(otel.context.active());
  const parent = singleCreationContext(links);
  const start = Math.min(firstReceipt, cutAt);
  const span = tracer.startSpan(
    `relay ${b.topic}`,
    { kind: otel.SpanKind.CONSUMER, attributes, links, startTime: start },
    parent ? otel.trace.setSpanContext(base, parent) : base,
  );
  const batchContext = otel.trace.setSpan(base, span);
  if (firstReceipt < cutAt) {
    const receive = messagingAttributes('receive', 'receive', b.topic);
    receive[SEMCONV.batchCount] = records.length;
    receive[SEMCONV.subscription] = b.subscription.name;
    tracer.startSpan(`receive ${b.topic}`, { kind: otel.SpanKind.CLIENT, attributes: receive, startTime: firstReceipt }, batchContext).end(cutAt);
  }
  const pending: Promise<void>[] = [];
  let ackSpan: Span | undefined;
  let acks = 0;
  return {
    logFields: { trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId },
    async invoke(batch, invoke) {
      const child = tracer.startSpan(`invoke ${b.name}`, { kind: otel.SpanKind.CLIENT, attributes: invokeAttributes(b, batch.records.length) }, batchContext);
      const fields = traceFieldsOf(otel, child.spanContext());
      const traced: InvokeBatch = fields ? { ...batch, meta: { ...batch.meta, ...fields } } : batch;
      try {
        // Not made the active context: the function gets it through the batch (event field,
        // headers, or runSink's own span for an in-process sink), and the relay's hot path stays
        // free of async context propagation (see the module comment).
        const result = await invoke(traced);
        if (result.failures.length > 0) child.setAttribute('danube.sink.failed_records', result.failures.length);
        return result;
      } catch (err) {
        recordFailure(otel, child, err, err instanceof InvokeError ? err.reason : undefined);
        throw err;
      } finally {
        child.end();
      }
    },
    ack(done) {
      ackSpan ??= tracer.startSpan(`ack ${b.topic}`, { kind: otel.SpanKind.CLIENT, attributes: messagingAttributes('settle', 'ack', b.topic) }, batchContext);
      acks++;
      pending.push(done);
    },
    deadLetter(record, topic, why, publish) {
      const done = deadLetterSpan(otel, batchContext, record, topic, why, b, publish);
      pending.push(done.catch(() => undefined));
      return done;
    },
    settled(outcome, counts) {
      span.setAttributes({
        'danube.relay.outcome': outcome.type,
        'danube.relay.acked': counts.acked,
        'danube.relay.retried': counts.retried,
        'danube.relay.dead_lettered': counts.deadLettered,
      });
      if (outcome.type === 'failure') markFailed(otel, span, outcome.error, outcome.errorClass ?? '_OTHER');
      void Promise.allSettled(pending).then(() => {
        if (ackSpan) {
          ackSpan.setAttribute(SEMCONV.batchCount, acks);
          ackSpan.end();
        }
        span.end();
      });
    },
  };
}

/**
 * Dead-letters a record under a `dead-letter` span: a child of its batch's span, or, for a
 * record dead-lettered without a batch (too old, too large), of its own creation context. The
 * dead letter keeps the original's creation context, so a replay still links to its producer.
 */
export function tracedDeadLetter(
  trace: BatchTrace | undefined,
  record: TrackedRecord<RelayMessage>,
  topic: string,
  why: RelayDeadLetter,
  binding: BindingConfig,
  publish: () => Promise<void>,
): Promise<void> {
  if (trace) return trace.deadLetter(record, topic, why, publish);
  const otel = otelApi();
  const creation = otel && remoteSpanContext(otel, record.msg.attributes);
  if (!otel || !creation) return publish();
  return deadLetterSpan(otel, otel.trace.setSpanContext(otel.trace.deleteSpan(otel.context.active()), creation), record, topic, why, binding, publish);
}

async function deadLetterSpan(
  otel: OtelApi,
  parent: Context,
  record: TrackedRecord<RelayMessage>,
  topic: string,
  why: RelayDeadLetter,
  binding: BindingConfig,
  publish: () => Promise<void>,
): Promise<void> {
  const attributes = messagingAttributes('send', 'dead-letter', topic);
  attributes[SEMCONV.messageId] = record.id;
  attributes['danube.relay.binding'] = binding.name;
  attributes['danube.dead_letter.reason'] = why.reason;
  attributes['danube.dead_letter.attempts'] = record.attempts;
  const span = tracerOf(otel).startSpan(`dead-letter ${topic}`, { kind: otel.SpanKind.CLIENT, attributes }, parent);
  try {
    await publish();
  } catch (err) {
    recordFailure(otel, span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** The one creation context all traced records of a batch share, if they share one. */
function singleCreationContext(links: readonly Link[]): SpanContext | undefined {
  const first = links[0]!.context;
  for (const l of links) if (l.context.spanId !== first.spanId || l.context.traceId !== first.traceId) return undefined;
  return first;
}

function invokeAttributes(b: BindingConfig, records: number): Record<string, string | number> {
  const f: FunctionConfig = b.function;
  const out: Record<string, string | number> = { 'danube.relay.binding': b.name, 'danube.relay.function.type': f.type, [SEMCONV.batchCount]: records };
  if (f.type === 'lambda') {
    out['faas.invoked_name'] = f.name;
    out['faas.invoked_provider'] = 'aws';
    if (f.region) out['faas.invoked_region'] = f.region;
  } else if (f.type === 'http') {
    const url = new URL(f.url);
    out['server.address'] = url.hostname;
    if (url.port) out['server.port'] = Number(url.port);
  } else {
    out['danube.relay.function.module'] = f.module;
  }
  return out;
}
