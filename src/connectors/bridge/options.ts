// A namespace import lets a bundler keep only the schema builders used; `import { z }` pulls in
// all of zod, locale data included (about 380 kB of a function bundle).
import * as z from 'zod';
import { ConfigError } from '../../core/errors.js';
import { parseWithSchema } from '../../core/options.js';

const topic = z.string().regex(/^\/[^/]+\/[^/]+$/, 'a Danube topic such as /default/orders');
const clusterId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-" (no commas)');

const BridgeSchema = z.strictObject({
  /** The id of the cluster this sink reads from (stamped on every record it forwards). */
  clusterId,
  destination: z.strictObject({
    clusterId,
    serviceUrl: z.url(),
    token: z.string().min(1).optional(),
    tls: z.strictObject({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional() }).optional(),
    connectTimeoutMs: z.number().int().min(1).optional(),
    requestTimeoutMs: z.number().int().min(1).optional(),
  }),
  /** Source logical topic → destination topic. Unlisted topics keep their name unless `unmapped` is `reject`. */
  topicMap: z.record(topic, topic).default({}),
  unmapped: z.enum(['same', 'reject']).default('same'),
  /** Partitions of the destination topics when the bridge creates them. */
  partitions: z.number().int().min(1).optional(),
  dispatch: z.enum(['reliable', 'non-reliable']).default('reliable'),
  /** Records of different keys forwarded at the same time; one key is always one at a time. */
  concurrency: z.number().int().min(1).max(1000).default(16),
});

/** Danube-to-Danube bridge configuration (see docs/connectors/bridge.md). */
export type BridgeOptions = z.input<typeof BridgeSchema>;
export type BridgeConfig = z.output<typeof BridgeSchema>;

/**
 * Fills defaults and rejects unknown keys, naming them; refuses a destination that is the
 * cluster itself.
 *
 * @example
 * parseBridgeOptions({ clusterId: 'eu', destination: { clusterId: 'us', serviceUrl: 'https://us.danube:6650', token },
 *   topicMap: { '/default/orders': '/default/orders-replica' } });
 */
export function parseBridgeOptions(options: BridgeOptions): BridgeConfig {
  const parsed = parseWithSchema(BridgeSchema, options, 'bridge options');
  if (parsed.destination.clusterId === parsed.clusterId) {
    throw new ConfigError(`invalid bridge options: destination.clusterId: must differ from clusterId "${parsed.clusterId}"`, ['destination.clusterId']);
  }
  return parsed;
}
