import type { IPublishPacket } from 'mqtt';
import { classifyError } from '../../core/classify.js';
import { deadLetterAttributes, deadLetterOrigin, deadLetterReasonOf, type DeadLetterEnvelope } from '../../core/dead-letter.js';
import { FatalError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { SourceProducer } from '../../source/publisher.js';
import type { TraceContextFields } from '../../core/trace-context.js';
import type { MqttRoute, MqttSourceConfig } from './options.js';
import type { MqttRunTrace } from './tracing.js';

/** Counters the publishing step updates. */
export interface PublishCounters {
  published: number;
  deadLettered: number;
}

/**
 * Publishes one MQTT message to its route's Danube topic and resolves once the broker accepted
 * it. A message Danube can never take (too large) goes to the dead-letter topic when there is
 * one; any other failure is thrown, so the message is not acknowledged to MQTT.
 */
export async function publish(
  config: MqttSourceConfig,
  route: MqttRoute,
  packet: IPublishPacket,
  producer: SourceProducer,
  producerFor: (topic: string) => Promise<SourceProducer>,
  summary: PublishCounters,
  logger: Logger,
  trace?: MqttRunTrace,
): Promise<void> {
  const span = trace?.message(packet, route);
  try {
    await publishMessage(config, route, packet, producer, producerFor, summary, logger, span?.fields);
    span?.end();
  } catch (err) {
    span?.end(err);
    throw err;
  }
}

async function publishMessage(
  config: MqttSourceConfig,
  route: MqttRoute,
  packet: IPublishPacket,
  producer: SourceProducer,
  producerFor: (topic: string) => Promise<SourceProducer>,
  summary: PublishCounters,
  logger: Logger,
  creation: TraceContextFields | undefined,
): Promise<void> {
  const payload = typeof packet.payload === 'string' ? new TextEncoder().encode(packet.payload) : new Uint8Array(packet.payload);
  const attributes: Record<string, string> = {
    ...config.attributes,
    source: 'mqtt',
    'mqtt.topic': packet.topic,
    'mqtt.qos': String(packet.qos),
    'mqtt.retain': String(packet.retain),
    'mqtt.dup': String(packet.dup),
    ...creation,
  };
  const contentType = packet.properties?.contentType;
  if (contentType) attributes['content-type'] = contentType;
  const options: { attributes: Record<string, string>; key?: string } = route.key === 'mqtt-topic' ? { attributes, key: packet.topic } : { attributes };
  try {
    await producer.send(payload, options);
    summary.published++;
  } catch (err) {
    if (classifyError(err).kind !== 'invalid') throw err;
    if (!config.deadLetterTopic)
      throw new FatalError(`message on ${packet.topic} can never be published (${(err as Error).message}) and no deadLetterTopic is configured`, {
        cause: err,
      });
    const dlq = await producerFor(config.deadLetterTopic);
    const now = Date.now();
    const envelope: DeadLetterEnvelope = {
      reason: deadLetterReasonOf(err),
      error: String((err as Error)?.message ?? err),
      errorClass: (err as Error)?.name ?? 'Error',
      origin: deadLetterOrigin('mqtt', config.name),
      attempts: 1,
      firstFailureAt: now,
      lastFailureAt: now,
      originalTopic: route.topic,
    };
    if (options.key !== undefined) envelope.originalKey = options.key;
    // A payload the broker refused as too large would be refused again: the envelope goes alone.
    const kept = envelope.reason === 'too-large' ? new Uint8Array(0) : payload;
    await dlq.send(kept, { attributes: deadLetterAttributes(attributes, envelope) });
    summary.deadLettered++;
    logger.warn({ mqttTopic: packet.topic, err }, 'mqtt: message dead-lettered');
  }
}

/** Closes every producer that was created, ignoring failures. */
export async function closeProducers(producers: Map<string, Promise<SourceProducer>>): Promise<void> {
  await Promise.all([...producers.values()].map((p) => p.then((x) => x.close()).catch(() => {})));
}
