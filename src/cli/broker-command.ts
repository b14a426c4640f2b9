// `danube-connect broker`: runs the embedded Danube-compatible broker until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '../core/logger.js';
import { withoutUndefined } from '../core/objects.js';
import { startBroker, type BrokerOptions, type SubscriptionPolicy } from '../broker/index.js';
import { DEFAULT_ADMIN_PORT } from '../broker/options.js';

const HELP = `usage: danube-connect broker [options]

  --port N                     first broker's port (default 6650; 0 = any free port)
  --host H                     address to bind (default 127.0.0.1)
  --brokers N                  brokers in the cluster, on ports N, N+1, ... (default 1)
  --proxy                      put a proxy in front (port N+brokers); lookups answer proxy=true
  --data-dir DIR               keep reliable topics and cursors across restarts
  --fsync-interval-ms MS       fsync period of the on-disk log (default 1000; 0 = every write)
  --admin-port N               admin API port of the first broker, broker i on N+i (default 50051,
                               or any free port with --port 0)
  --admin-tls                  serve the admin port with the TLS certificate too
  --jwt-secret S               require "authorization: Bearer <HS256 JWT>" on every call, and
                               authorize each call by RBAC (roles and bindings: admin API)
  --super-admin NAME           a principal name that bypasses RBAC (repeatable)
  --tls-cert FILE --tls-key FILE   serve TLS (URLs become https://)
  --namespace NS               extra namespace (repeatable; "default" always exists)
  --max-unacked N              max_unacked_messages per subscription (default 10)
  --ack-timeout-ms MS          (default 30000)
  --max-redelivery-count N     (default 5)
  --base-redelivery-delay-ms MS    (default 1000)
  --max-redelivery-delay-ms MS     (default 60000)
  --backoff exponential|fixed  (default exponential)
  --poison-policy block|drop|dead-letter   (default block)
  --dead-letter-topic T        required with --poison-policy dead-letter
  --subscription 'TOPIC:SUB:key=value,...'  settings of one subscription (repeatable), keys
                               maxUnackedMessages, ackTimeoutMs, maxRedeliveryCount,
                               baseRedeliveryDelayMs, maxRedeliveryDelayMs, backoff,
                               poisonPolicy, deadLetterTopic
  --log-level L                trace|debug|info|warn|error|silent (default warn)
`;

const NUMERIC = new Set(['maxUnackedMessages', 'ackTimeoutMs', 'maxRedeliveryCount', 'baseRedeliveryDelayMs', 'maxRedeliveryDelayMs']);

function int(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`--${flag} must be an integer, got "${v}"`);
  return n;
}

/** `/default/orders:orders-pg:maxUnackedMessages=100,ackTimeoutMs=5000` */
function parseSubscriptionFlag(spec: string): { topic: string; subscription: string } & Partial<SubscriptionPolicy> {
  const m = /^(\/[^:]+):([^:]+):(.*)$/.exec(spec);
  if (!m) throw new Error(`--subscription must look like /ns/topic:subscription:key=value,..., got "${spec}"`);
  const out: Record<string, unknown> = { topic: m[1], subscription: m[2] };
  for (const pair of m[3]!.split(',').filter(Boolean)) {
    const [k, v] = pair.split('=') as [string, string | undefined];
    if (v === undefined) throw new Error(`--subscription: "${pair}" is not key=value`);
    out[k] = NUMERIC.has(k) ? int(`subscription ${k}`, v) : v;
  }
  return out as { topic: string; subscription: string };
}

export async function runBroker(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      port: { type: 'string', default: '6650' },
      host: { type: 'string' },
      brokers: { type: 'string' },
      proxy: { type: 'boolean' },
      'data-dir': { type: 'string' },
      'fsync-interval-ms': { type: 'string' },
      'jwt-secret': { type: 'string' },
      'admin-port': { type: 'string' },
      'admin-tls': { type: 'boolean' },
      'super-admin': { type: 'string', multiple: true },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      namespace: { type: 'string', multiple: true },
      'max-unacked': { type: 'string' },
      'ack-timeout-ms': { type: 'string' },
      'max-redelivery-count': { type: 'string' },
      'base-redelivery-delay-ms': { type: 'string' },
      'max-redelivery-delay-ms': { type: 'string' },
      backoff: { type: 'string' },
      'poison-policy': { type: 'string' },
      'dead-letter-topic': { type: 'string' },
      subscription: { type: 'string', multiple: true },
      'log-level': { type: 'string', default: 'warn' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) throw new Error('--tls-cert and --tls-key go together');
  if (values['super-admin'] && !values['jwt-secret']) throw new Error('--super-admin needs --jwt-secret (RBAC is on only with authentication)');
  const dispatch = withoutUndefined({
    maxUnackedMessages: int('max-unacked', values['max-unacked']),
    ackTimeoutMs: int('ack-timeout-ms', values['ack-timeout-ms']),
    maxRedeliveryCount: int('max-redelivery-count', values['max-redelivery-count']),
    baseRedeliveryDelayMs: int('base-redelivery-delay-ms', values['base-redelivery-delay-ms']),
    maxRedeliveryDelayMs: int('max-redelivery-delay-ms', values['max-redelivery-delay-ms']),
    backoff: values.backoff,
    poisonPolicy: values['poison-policy'],
    deadLetterTopic: values['dead-letter-topic'],
  }) as Partial<SubscriptionPolicy>;
  const options: BrokerOptions = {
    port: int('port', values.port),
    ...(values.host ? { host: values.host } : {}),
    ...(values.brokers ? { brokers: int('brokers', values.brokers) } : {}),
    ...(values.proxy ? { proxy: true } : {}),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values['fsync-interval-ms'] ? { fsyncIntervalMs: int('fsync-interval-ms', values['fsync-interval-ms']) } : {}),
    // --port 0 asks for free ports (tests, several brokers on one machine): the admin port follows.
    adminPort: int('admin-port', values['admin-port']) ?? (values.port === '0' ? 0 : DEFAULT_ADMIN_PORT),
    ...(values['admin-tls'] ? { adminTls: true } : {}),
    ...(values['jwt-secret'] ? { auth: { jwtSecret: values['jwt-secret'], superAdmins: values['super-admin'] ?? [] } } : {}),
    ...(values['tls-cert'] ? { tls: { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']!) } } : {}),
    namespaces: ['default', ...(values.namespace ?? [])],
    dispatch,
    subscriptions: (values.subscription ?? []).map(parseSubscriptionFlag),
    logger: createLogger({ name: 'danube-broker', level: values['log-level'] as 'warn' }),
  };
  const broker = await startBroker(options);
  for (const url of broker.urls) process.stdout.write(`danube broker listening on ${url}\n`);
  for (const url of broker.adminUrls) process.stdout.write(`danube broker admin listening on ${url}\n`);
  if (broker.proxyUrl) process.stdout.write(`danube broker proxy listening on ${broker.proxyUrl}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await broker.close();
  return 0;
}
