import * as z from 'zod';
import { parseWithSchema } from '../../core/options.js';
import { topicFilterProblem } from './topic-filter.js';

export const DEFAULT_MQTT_IDLE_MS = 1_000;
export const DEFAULT_MQTT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_MQTT_SAFETY_MARGIN_MS = 2_000;
export const DEFAULT_MQTT_SESSION_EXPIRY_SEC = 7 * 24 * 3600;

const RouteSchema = z.strictObject({
  filter: z.string().superRefine((f, ctx) => {
    const problem = topicFilterProblem(f);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  topic: z.string().regex(/^\/[^/]+\/[^/]+$/, 'a Danube topic such as /default/sensors'),
  // QoS 2 is refused: mqtt.js keeps its half of the QoS 2 handshake in memory, which a
  // scheduled run loses between runs.
  qos: z.union([z.literal(0), z.literal(1)]).default(1),
  /** `mqtt-topic`: the MQTT topic is the routing key (per-device order); `none`: no key. */
  key: z.enum(['mqtt-topic', 'none']).default('mqtt-topic'),
  partitions: z.number().int().min(1).optional(),
});

const MqttSourceSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" or "-"'),
  url: z.string().regex(/^(mqtts?|wss?):\/\//, 'an mqtt://, mqtts://, ws:// or wss:// URL'),
  /** Fixed, so the broker keeps the session (and queues messages) between runs. */
  clientId: z.string().min(1).max(128),
  username: z.string().optional(),
  password: z.string().optional(),
  tls: z
    .strictObject({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional(), rejectUnauthorized: z.boolean().default(true) })
    .optional(),
  protocolVersion: z.union([z.literal(4), z.literal(5)]).default(4),
  /** MQTT 5: how long the broker keeps the session after a disconnect. */
  sessionExpirySec: z.number().int().min(1).default(DEFAULT_MQTT_SESSION_EXPIRY_SEC),
  keepaliveSec: z.number().int().min(0).default(30),
  connectTimeoutMs: z.number().int().min(1).default(DEFAULT_MQTT_CONNECT_TIMEOUT_MS),
  /** The run ends when no message arrived for this long (the queued backlog is drained). */
  idleMs: z.number().int().min(10).default(DEFAULT_MQTT_IDLE_MS),
  /** Time kept free at the end of the budget to disconnect cleanly. */
  safetyMarginMs: z.number().int().min(0).default(DEFAULT_MQTT_SAFETY_MARGIN_MS),
  /** Stop after this many messages in one run. */
  maxMessages: z.number().int().min(1).optional(),
  routes: z.array(RouteSchema).min(1),
  /** Where messages the broker refuses for good (too large) go; without one they fail the run. */
  deadLetterTopic: z
    .string()
    .regex(/^\/[^/]+\/[^/]+$/)
    .optional(),
  attributes: z.record(z.string(), z.string()).default({}),
});

/** MQTT source configuration (see docs/connectors/mqtt.md). */
export type MqttSourceOptions = z.input<typeof MqttSourceSchema>;
export type MqttSourceConfig = z.output<typeof MqttSourceSchema>;
export type MqttRoute = z.output<typeof RouteSchema>;

/**
 * Fills defaults and rejects unknown keys, naming them.
 *
 * @example
 * parseMqttSourceOptions({ name: 'plant', url: 'mqtt://broker:1883', clientId: 'danube-plant',
 *   routes: [{ filter: 'sensors/+/temp', topic: '/default/temps' }] });
 */
export function parseMqttSourceOptions(options: MqttSourceOptions): MqttSourceConfig {
  return parseWithSchema(MqttSourceSchema, options, 'mqtt source options');
}
