// An MQTT source run as a trace: `run <source>`, and a `publish <topic>` span per message whose
// context the Danube record carries. A message that came with a W3C trace context in its MQTT 5
// user properties (Trace Context for MQTT) is linked to it.
import type { IPublishPacket } from 'mqtt';
import type { Link } from '@opentelemetry/api';
import { TRACEPARENT_ATTRIBUTE, TRACESTATE_ATTRIBUTE, type TraceContextFields } from '../../core/trace-context.js';
import { messagingAttributes, otelApiWhenOn, recordFailure, remoteSpanContext, traceFieldsOf, tracerOf } from '../../core/tracing.js';
import type { MqttRoute, MqttSourceConfig } from './options.js';

/** What the run span records of a finished run (the run summary's fields it reads). */
interface RunOutcome {
  stopReason: string;
  published: number;
}

/** One message's span: the context its record carries, and its end. */
export interface MqttMessageTrace {
  readonly fields: TraceContextFields;
  end(err?: unknown): void;
}

export interface MqttRunTrace {
  /** Runs the run with its span active; ends it with the summary or the failure. */
  around<S extends RunOutcome>(fn: () => Promise<S>): Promise<S>;
  /** Starts the span of one message (a child of the run's span). */
  message(packet: IPublishPacket, route: MqttRoute): MqttMessageTrace | undefined;
}

/** The trace of a run, or undefined when tracing is off. */
export async function startMqttRunTrace(config: MqttSourceConfig): Promise<MqttRunTrace | undefined> {
  const otel = await otelApiWhenOn();
  if (otel === undefined) return undefined;
  const tracer = tracerOf(otel);
  const run = tracer.startSpan(`run ${config.name}`, { kind: otel.SpanKind.INTERNAL, attributes: { 'danube.source.name': config.name } });
  const runContext = otel.trace.setSpan(otel.context.active(), run);
  return {
    async around(fn) {
      try {
        const summary = await otel.context.with(runContext, fn);
        run.setAttributes({ 'danube.source.stop_reason': summary.stopReason, 'danube.source.records_published': summary.published });
        return summary;
      } catch (err) {
        recordFailure(otel, run, err);
        throw err;
      } finally {
        run.end();
      }
    },
    message(packet, route) {
      const links: Link[] = [];
      const own = remoteSpanContext(otel, userProperties(packet));
      if (own) links.push({ context: own });
      const attributes = messagingAttributes('send', 'publish', route.topic);
      attributes['danube.source.name'] = config.name;
      attributes['danube.mqtt.topic'] = packet.topic;
      // Explicitly under the run: mqtt.js calls back from its socket, outside the run's context.
      const span = tracer.startSpan(`publish ${route.topic}`, { kind: otel.SpanKind.PRODUCER, attributes, links }, runContext);
      const fields = traceFieldsOf(otel, span.spanContext());
      if (!fields) {
        span.end();
        return undefined;
      }
      return {
        fields,
        end(err) {
          if (err !== undefined) recordFailure(otel, span, err);
          span.end();
        },
      };
    },
  };
}

function userProperties(packet: IPublishPacket): Record<string, string | undefined> {
  const props = packet.properties?.userProperties;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return { [TRACEPARENT_ATTRIBUTE]: first(props?.[TRACEPARENT_ATTRIBUTE]), [TRACESTATE_ATTRIBUTE]: first(props?.[TRACESTATE_ATTRIBUTE]) };
}
