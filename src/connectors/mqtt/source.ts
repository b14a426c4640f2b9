import { connect, type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { classifyError } from '../../core/classify.js';
import { ConnectorError, FatalError, RetryableError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { SourceClient, SourceProducer } from '../../source/publisher.js';
import { parseMqttSourceOptions, type MqttSourceConfig, type MqttSourceOptions } from './options.js';
import { matchesTopicFilter } from './topic-filter.js';
import { closeProducers, publish } from './publish.js';
import { startMqttRunTrace, type MqttRunTrace } from './tracing.js';

export interface MqttRunOptions {
  /** A `DanubeClient` (or anything with its `createProducer`). */
  client: SourceClient;
  /** Time this run may take in all, ms (on Lambda: the remaining time). */
  budgetMs: number;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface MqttRunSummary {
  source: string;
  stopReason: 'idle' | 'budget' | 'max-messages' | 'signal' | 'error';
  /** Messages the broker accepted and that were then acknowledged to MQTT. */
  published: number;
  deadLettered: number;
  /** Messages no route matched (from an old subscription): acknowledged and dropped. */
  unrouted: number;
  /** Whether the MQTT broker still had our session from a previous run. */
  sessionPresent: boolean;
  durationMs: number;
  error?: string;
}

/** A run that stopped on a failure; nothing unacknowledged was lost (it is redelivered next run). */
export class MqttSourceError extends ConnectorError {
  override readonly name = 'MqttSourceError';
  constructor(
    message: string,
    readonly summary: MqttRunSummary,
    cause?: unknown,
  ) {
    super(message, classifyError(cause).kind === 'fatal' ? 'fatal' : 'retryable', { cause });
  }
}

/**
 * One scheduled run of the MQTT source: connects with a fixed client id and a persistent session
 * (clean session off, QoS 1), takes what the MQTT broker queued for the subscriptions since the
 * last run, publishes each message to the Danube topic of the first matching route, and sends
 * the PUBACK only after Danube accepted it. It stops once nothing arrived for `idleMs`, at the
 * budget, or after `maxMessages`. A message that could not be published is never acknowledged:
 * the MQTT broker delivers it again to the next run.
 *
 * @example
 * const source = mqttSource({ name: 'plant', url: 'mqtt://broker:1883', clientId: 'danube-plant',
 *   routes: [{ filter: 'sensors/+/temp', topic: '/default/temps' }] });
 * const summary = await source.run({ client, budgetMs: 50_000, logger });
 */
export function mqttSource(options: MqttSourceOptions) {
  const config = parseMqttSourceOptions(options);
  return { config, run: (run: MqttRunOptions) => runMqttSource(config, run) };
}

function producerName(source: string, topic: string): string {
  return `${source}-${topic.replace(/\//g, '-').replace(/^-/, '')}`;
}

export async function runMqttSource(config: MqttSourceConfig, run: MqttRunOptions): Promise<MqttRunSummary> {
  const trace = await startMqttRunTrace(config);
  return trace ? trace.around(() => runOnce(config, run, trace)) : runOnce(config, run, undefined);
}

async function runOnce(config: MqttSourceConfig, run: MqttRunOptions, trace: MqttRunTrace | undefined): Promise<MqttRunSummary> {
  const started = Date.now();
  const logger = (run.logger ?? silentLogger).child({ source: config.name, clientId: config.clientId });
  const summary: MqttRunSummary = { source: config.name, stopReason: 'idle', published: 0, deadLettered: 0, unrouted: 0, sessionPresent: false, durationMs: 0 };
  const producers = new Map<string, Promise<SourceProducer>>();
  const producerFor = (topic: string, partitions?: number) => {
    let p = producers.get(topic);
    if (!p) {
      p = run.client.createProducer({
        topic,
        name: producerName(config.name, topic),
        dispatch: 'reliable',
        mode: 'ordered',
        ...(partitions ? { partitions } : {}),
      });
      producers.set(topic, p);
    }
    return p;
  };
  // Producers first: a message may arrive the moment the session resumes.
  try {
    await Promise.all(config.routes.map((r) => producerFor(r.topic, r.partitions)));
  } catch (err) {
    await closeProducers(producers);
    throw new MqttSourceError(`mqtt source ${config.name}: could not create producers: ${(err as Error).message}`, { ...summary, stopReason: 'error' }, err);
  }

  const deadline = started + run.budgetMs - config.safetyMarginMs;
  let lastActivity = Date.now();
  let busy = false;
  let held = false;
  let current: Promise<void> = Promise.resolve();
  let stopped = false;
  let failure: unknown;
  let resolveStop!: (reason: MqttRunSummary['stopReason']) => void;
  const stoppedWith = new Promise<MqttRunSummary['stopReason']>((r) => (resolveStop = r));
  const stop = (reason: MqttRunSummary['stopReason']) => {
    if (stopped) return;
    stopped = true;
    resolveStop(reason);
  };

  const handle = async (packet: IPublishPacket): Promise<void> => {
    const route = config.routes.find((r) => matchesTopicFilter(r.filter, packet.topic));
    if (!route) {
      summary.unrouted++;
      logger.warn({ mqttTopic: packet.topic }, 'mqtt: no route matches; acknowledged and dropped');
      return;
    }
    await publish(config, route, packet, await producerFor(route.topic, route.partitions), producerFor, summary, logger, trace);
  };

  const mqttOptions: IClientOptions = {
    clientId: config.clientId,
    clean: false,
    protocolVersion: config.protocolVersion,
    keepalive: config.keepaliveSec,
    connectTimeout: config.connectTimeoutMs,
    // One run, one connection: a reconnect loop would fight a newer run for the same client id.
    reconnectPeriod: 0,
    ...(config.protocolVersion === 5 ? { properties: { sessionExpiryInterval: config.sessionExpirySec } } : {}),
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.tls ? { ca: config.tls.ca, cert: config.tls.cert, key: config.tls.key, rejectUnauthorized: config.tls.rejectUnauthorized } : {}),
  };
  const mqtt: MqttClient = connect(config.url, { ...mqttOptions, manualConnect: true });
  // mqtt.js sends the PUBACK of a QoS 1 message when this callback is called, and handles the
  // next packet only after it: so each message is acknowledged strictly after Danube accepted
  // it, in arrival order (MQTT requires PUBACKs in order).
  mqtt.handleMessage = (packet, done) => {
    if (stopped) {
      held = true; // never acknowledged: redelivered to the next run
      return;
    }
    busy = true;
    lastActivity = Date.now();
    current = handle(packet).then(
      () => {
        busy = false;
        lastActivity = Date.now();
        done();
        if (config.maxMessages !== undefined && summary.published + summary.deadLettered >= config.maxMessages) stop('max-messages');
      },
      (err: unknown) => {
        busy = false;
        failure = err;
        stop('error');
      },
    );
  };
  mqtt.on('error', (err) => {
    failure ??= err;
    stop('error');
  });
  mqtt.on('close', () => {
    if (!stopped) {
      failure ??= new RetryableError('the MQTT connection closed during the run (another run with the same client id?)');
      stop('error');
    }
  });
  const onAbort = () => stop('signal');
  run.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setInterval(
    () => {
      const now = Date.now();
      if (now >= deadline) stop('budget');
      else if (!busy && now - lastActivity >= config.idleMs) stop('idle');
    },
    Math.min(50, config.idleMs),
  );
  timer.unref?.();

  try {
    const connack = await connected(mqtt, config.connectTimeoutMs, stoppedWith);
    if (connack) {
      summary.sessionPresent = connack.sessionPresent;
      lastActivity = Date.now();
      await subscribeRoutes(mqtt, config, connack.sessionPresent, logger);
      lastActivity = Date.now();
    }
    summary.stopReason = await stoppedWith;
  } catch (err) {
    failure ??= err;
    stop('error');
    summary.stopReason = 'error';
  } finally {
    clearInterval(timer);
    run.signal?.removeEventListener('abort', onAbort);
    // Let the message in hand finish (its send has a time limit) so its PUBACK goes out first.
    await current;
    // A clean DISCONNECT after the last PUBACK. After a failure, or with a message in hand that
    // will not be acknowledged (mqtt.js would wait for it), drop the socket at once.
    await endClient(mqtt, failure !== undefined || held);
    await closeProducers(producers);
  }
  summary.durationMs = Date.now() - started;
  if (failure !== undefined) {
    summary.stopReason = 'error';
    summary.error = (failure as Error)?.message ?? String(failure);
    logger.error({ ...summary, err: failure }, 'mqtt source run failed; unacknowledged messages stay queued');
    throw new MqttSourceError(`mqtt source ${config.name}: ${summary.error}`, summary, failure);
  }
  logger.info(summary, `mqtt source run ended (${summary.stopReason}): ${summary.published} messages`);
  return summary;
}

async function endClient(mqtt: MqttClient, force: boolean): Promise<void> {
  const ended = new Promise<void>((r) => mqtt.end(force, {}, () => r()));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), 2_000)));
  if ((await Promise.race([ended, late])) === 'late') await new Promise<void>((r) => mqtt.end(true, {}, () => r()));
  clearTimeout(timer);
}

async function connected(mqtt: MqttClient, timeoutMs: number, stopped: Promise<unknown>): Promise<IConnackPacket | undefined> {
  const connack = new Promise<IConnackPacket>((resolve, reject) => {
    mqtt.once('connect', resolve);
    mqtt.once('error', reject);
    const t = setTimeout(() => reject(new RetryableError(`no CONNACK within ${timeoutMs} ms`)), timeoutMs);
    t.unref?.();
    mqtt.once('connect', () => clearTimeout(t));
  });
  mqtt.connect();
  return Promise.race([connack, stopped.then(() => undefined)]);
}

async function subscribeRoutes(mqtt: MqttClient, config: MqttSourceConfig, sessionPresent: boolean, logger: Logger): Promise<void> {
  // MQTT 3.1.1: re-subscribing would make the broker send retained messages again on every run,
  // so subscribe only when the session is new. MQTT 5 says "retained only for a new subscription".
  if (sessionPresent && config.protocolVersion === 4) return;
  const filters = Object.fromEntries(config.routes.map((r) => [r.filter, { qos: r.qos, ...(config.protocolVersion === 5 ? { rh: 1 } : {}) }]));
  const granted = await mqtt.subscribeAsync(filters as Parameters<MqttClient['subscribeAsync']>[0]);
  const refused = granted.filter((g) => g.qos === 128);
  if (refused.length > 0) throw new FatalError(`the MQTT broker refused the subscriptions ${refused.map((g) => g.topic).join(', ')}`);
  logger.info({ filters: Object.keys(filters) }, 'mqtt: subscribed');
}
