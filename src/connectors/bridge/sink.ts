import { DanubeClient, type DanubeClientOptions, type Producer } from '../../client/index.js';
import { COMPRESSION_ATTRIBUTE, type SinkRecord } from '../../core/records.js';
import { InvalidRecordError } from '../../core/errors.js';
import { withoutTraceContext } from '../../core/trace-context.js';
import { tracingRegistered } from '../../core/tracing.js';
import { defineSink, type Sink } from '../../sink/define.js';
import { forEachRecord } from '../../sink/for-each.js';
import { forwardedAttributes, wouldLoop } from './loop-guard.js';
import { parseBridgeOptions, type BridgeConfig, type BridgeOptions } from './options.js';

export interface BridgeDeps {
  /** A client for the destination cluster (its lifetime is the caller's); otherwise one is made from `destination`. */
  client?: Pick<DanubeClient, 'createProducer'>;
}

/** What the bridge did with the records of its sink's lifetime (for logs and tests). */
export interface BridgeStats {
  forwarded: number;
  droppedLoops: number;
}

/**
 * A sink that republishes records to another Danube cluster: topic mapped, payload, key and
 * attributes kept, origin attributes added (`x-bridge-origin-cluster`, `-topic`, `-offset`, and
 * the path of clusters in `x-bridge-path`). Records of one key are forwarded one at a time in
 * offset order through ordered producers, so per-key order holds on the other side. A record
 * whose path already contains the destination cluster is dropped (acknowledged, not forwarded):
 * two clusters bridged both ways do not echo.
 *
 * @example
 * export const sink = bridgeSink({ clusterId: 'eu', destination: { clusterId: 'us', serviceUrl: process.env.US_URL!, token } });
 */
export function bridgeSink(options: BridgeOptions, deps: BridgeDeps = {}): Sink & { stats: BridgeStats } {
  const config = parseBridgeOptions(options);
  const stats: BridgeStats = { forwarded: 0, droppedLoops: 0 };
  let client = deps.client;
  const producers = new Map<string, Promise<Producer>>();
  const producerFor = (topic: string): Promise<Producer> => {
    let p = producers.get(topic);
    if (!p) {
      // One client and one producer per topic per container, reused across warm invocations.
      client ??= new DanubeClient(clientOptions(config));
      p = client.createProducer({
        topic,
        name: `bridge-${config.clusterId}-to-${config.destination.clusterId}`,
        dispatch: config.dispatch,
        mode: 'ordered',
        ...(config.partitions ? { partitions: config.partitions } : {}),
      }) as Promise<Producer>;
      p.catch(() => producers.delete(topic));
      producers.set(topic, p);
    }
    return p;
  };
  const forward = async (record: SinkRecord) => {
    if (wouldLoop(record.attributes, config.destination.clusterId)) {
      stats.droppedLoops++;
      return;
    }
    const topic = destinationTopic(config, record);
    const forwarded = forwardedAttributes(record.attributes, { clusterId: config.clusterId, topic: record.logicalTopic, offset: record.offset });
    // Traced, the forwarded message gets the bridge's own send span as its creation context (the
    // sink's span links the original), so the trace goes on hop by hop; untraced, the original
    // context travels on untouched.
    const attributes = tracingRegistered() ? withoutTraceContext(forwarded) : forwarded;
    // The sink record's payload was already gunzipped; say so downstream.
    if (attributes[COMPRESSION_ATTRIBUTE]?.toLowerCase() === 'gzip') delete attributes[COMPRESSION_ATTRIBUTE];
    const producer = await producerFor(topic);
    await producer.send(record.payload, record.routingKey !== undefined ? { attributes, key: record.routingKey } : { attributes });
    stats.forwarded++;
  };
  const handler = forEachRecord(forward, { concurrency: config.concurrency, ordered: true });
  const sink = defineSink(
    async (records, ctx) => {
      const before = stats.droppedLoops;
      const result = await handler(records, ctx);
      if (stats.droppedLoops > before)
        ctx.logger.info({ dropped: stats.droppedLoops - before }, `bridge: records that came from ${config.destination.clusterId} were not sent back`);
      return result;
    },
    { name: 'bridge' },
  );
  return { ...sink, stats };
}

function destinationTopic(config: BridgeConfig, record: SinkRecord): string {
  const mapped = config.topicMap[record.logicalTopic];
  if (mapped) return mapped;
  if (config.unmapped === 'same') return record.logicalTopic;
  throw new InvalidRecordError(`bridge: no destination for topic ${record.logicalTopic} (unmapped: reject)`, { record });
}

function clientOptions(config: BridgeConfig): DanubeClientOptions {
  const d = config.destination;
  return {
    serviceUrl: d.serviceUrl,
    ...(d.token ? { token: d.token } : {}),
    ...(d.tls ? { tls: d.tls } : {}),
    ...(d.connectTimeoutMs ? { connectTimeoutMs: d.connectTimeoutMs } : {}),
    ...(d.requestTimeoutMs ? { requestTimeoutMs: d.requestTimeoutMs } : {}),
  };
}
