// `osls invoke local`, the everyday way Serverless users try a handler, for every function of the
// project's serverless.yml bound by a `danube` or `schedule` event: each sink with a v1 batch
// event (accepted) and a malformed one (refused, naming the field); each source with an
// EventBridge scheduled event against an embedded broker and dynalite. Every command must end on
// its own. Everything listens on 127.0.0.1; osls is given dummy credentials and calls no AWS.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectAsync } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { silentLogger, utf8 } from '../../../src/core/index.js';
import { encodeSinkBatch } from '../../../src/sink/event.js';
import { createCheckpointTable, localDynamoClient, startDynalite, type LocalDynamo } from '../../support/dynamo.js';
import { startMosquitto, type LocalMosquitto } from '../../support/mosquitto.js';
import { startPostgres, type PostgresServer } from '../../support/postgres.js';
import { run } from '../../package/support.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const OSLS = join(ROOT, 'node_modules', '.bin', 'osls');
const TABLE = 'danube-connect-dev-danube-checkpoints';

let dir: string;
let broker: Broker;
let destination: Broker;
let dynamo: LocalDynamo;
let postgres: PostgresServer;
let mosquitto: LocalMosquitto;
let http: Server;
let httpUrl: string;
const posted: string[] = [];
let env: NodeJS.ProcessEnv;
let destinationClient: DanubeClient;
let copies: Awaited<ReturnType<DanubeClient['subscribe']>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'danube-invoke-'));
  for (const entry of ['serverless.yml', 'package.json', 'tsconfig.json', 'dist', 'functions', 'infra']) {
    await cp(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  [broker, destination, dynamo, postgres, mosquitto] = await Promise.all([
    startBroker({ port: 0, logger: silentLogger }),
    startBroker({ port: 0, logger: silentLogger }),
    startDynalite(),
    startPostgres(),
    startMosquitto(),
  ]);
  await createCheckpointTable(dynamo.endpoint, TABLE);
  // What the bridge republishes: read from a subscription made before it runs.
  destinationClient = new DanubeClient({ serviceUrl: destination.url, logger: silentLogger });
  const setup = await destinationClient.createProducer({ topic: '/default/orders-copy', name: 'setup', dispatch: 'reliable' });
  await setup.close();
  copies = await destinationClient.subscribe({ topic: '/default/orders-copy', subscription: 'check', type: 'exclusive' });
  const { CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
  const ddb = localDynamoClient(dynamo.endpoint);
  await ddb.send(
    new CreateTableCommand({
      TableName: 'invoke-sink',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  ddb.destroy();
  const db = new pg.Client(postgres.connectionString);
  await db.connect();
  await db.query(
    'CREATE TABLE orders (id bigserial PRIMARY KEY, order_id text UNIQUE, customer_id text, total_cents bigint, body jsonb, _danube_id text UNIQUE)',
  );
  await db.query("INSERT INTO orders (order_id, customer_id, total_cents, body) VALUES ('seed-1', 'c1', 100, '{}'), ('seed-2', 'c2', 200, '{}')");
  await db.end();
  http = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      if (req.method === 'POST') posted.push(body);
      res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' });
      res.end(req.method === 'GET' ? JSON.stringify([{ id: 'item-1' }, { id: 'item-2' }]) : '{}');
    });
  });
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const mq = await connectAsync(mosquitto.url);
  env = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLEEXAMPLE00',
    AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key-only-for-local-invokes',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_SCHEMA_CACHE_BASE_DIR: dir,
    // What serverless.yml reads through ${env:...}.
    DANUBE_SERVICE_URL: broker.url,
    PG_URL: postgres.connectionString,
    HTTP_SINK_URL: `${httpUrl}/orders`,
    DYNAMODB_SINK_TABLE: 'invoke-sink',
    DYNAMODB_SINK_CONFIG: JSON.stringify({ keyAttributes: ['id'], attributes: { id: '$.orderId', customer: '$.customerId' } }),
    HTTP_POLLER_CONFIG: JSON.stringify({ name: 'poller', topic: '/default/polled', url: `${httpUrl}/items`, idField: '$.id' }),
    MQTT_CONFIG: JSON.stringify({
      name: 'mqtt',
      url: mosquitto.url,
      clientId: 'invoke-local',
      protocolVersion: 5,
      sessionExpirySec: 600,
      routes: [{ filter: 'sensors/#', topic: '/default/sensors' }],
    }),
    BRIDGE_CONFIG: JSON.stringify({
      clusterId: 'here',
      destination: { clusterId: 'there', serviceUrl: destination.url },
      topicMap: { '/default/orders': '/default/orders-copy' },
    }),
    EXAMPLE_SINK_FILE: join(dir, 'example-orders.jsonl'),
  };
  // A message waiting in the MQTT session of the source's client id.
  const session = await connectAsync(mosquitto.url, { clientId: 'invoke-local', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 600 } });
  await session.subscribeAsync('sensors/#', { qos: 1 });
  await session.endAsync();
  await mq.publishAsync('sensors/t1', '{"c":21}', { qos: 1 });
  await mq.endAsync();
}, 180_000);

afterAll(async () => {
  await destinationClient?.close();
  await Promise.all([broker?.close(), destination?.close(), dynamo?.close(), postgres?.close(), mosquitto?.close()]);
  await new Promise((ok) => (http ? http.close(ok) : ok(undefined)));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `osls invoke local -f <fn> --path <event>`; resolves when the command has ended by itself. */
async function invoke(fn: string, event: unknown, extraEnv: string[] = []): Promise<{ code: number; output: string; ms: number }> {
  const file = join(dir, `${fn}-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(event));
  const started = Date.now();
  // Deployed, the functions read the token from SSM; a plain token given locally takes its place
  // (the embedded broker here checks none), so no AWS endpoint is ever asked.
  const overrides = ['DANUBE_TOKEN=local', `AWS_ENDPOINT_URL_DYNAMODB=${dynamo.endpoint}`, ...extraEnv].flatMap((e) => ['-e', e]);
  const result = await run(OSLS, ['invoke', 'local', '-f', fn, '--path', file, ...overrides], { cwd: dir, env, timeoutMs: 90_000 });
  return { ...result, ms: Date.now() - started };
}

const batch = (payloads: string[]) =>
  encodeSinkBatch(
    payloads.map((p, i) => ({
      topic: '/default/orders-part-0',
      offset: BigInt(i + 1),
      publishTime: Date.now(),
      producerName: 'p',
      attributes: {},
      routingKey: `c${i}`,
      attempt: 1,
      payload: utf8(p),
    })),
    { binding: 'invoke-local', topic: '/default/orders', subscription: 'invoke-local' },
  );
const ORDER = (n: number) => JSON.stringify({ orderId: `o-${n}`, customerId: `c${n}`, totalCents: 100 * n });
const MALFORMED = { type: 'danube.sink.batch.v1', binding: 'b', topic: '/default/orders', subscription: 's', records: [{ id: 'x' }] };
const SCHEDULED = {
  version: '0',
  id: 'e1',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-12-03T10:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/r'],
  detail: {},
};

describe('osls invoke local of the sinks', () => {
  for (const fn of ['exampleSink', 'httpSink', 'postgresSink', 'dynamodbSink', 'bridge']) {
    it(`${fn}: accepts a v1 batch event and refuses a malformed one, naming the field`, async () => {
      const ok = await invoke(fn, batch([ORDER(1), ORDER(2)]));
      expect(ok.output, ok.output).toMatch(/"batchItemFailures": \[\]/);
      expect(ok.code).toBe(0);
      const bad = await invoke(fn, MALFORMED);
      expect(bad.output).toMatch(/invalid danube\.sink\.batch\.v1 event: records\[0\]/);
      expect(bad.output).toContain('"errorType": "SinkEventError"');
      expect(bad.code).not.toBe(0);
      process.stdout.write(`invoke local ${fn}: ${ok.ms} ms and ${bad.ms} ms\n`);
    }, 200_000);
  }

  it('the sinks really wrote: HTTP posts arrived, the bridge republished to the destination', async () => {
    expect(posted.length).toBeGreaterThanOrEqual(1);
    const first = await copies[Symbol.asyncIterator]().next();
    expect(JSON.parse(new TextDecoder().decode(first.value!.payload))).toMatchObject({ orderId: 'o-1' });
  });
});

describe('osls invoke local of the sources', () => {
  // What each run publishes here: 10 example orders, the seeded rows (and those the PostgreSQL sink
  // wrote above), the 2 API items, the one
  // queued MQTT message; the CDC source's first run creates its slot and starts from there.
  const PUBLISHED: Record<string, RegExp> = {
    exampleSource: /"recordsPublished": 10\b/,
    postgresPoll: /"recordsPublished": [2-9]\b/,
    postgresCdc: /"recordsPublished": 0\b/,
    httpPoller: /"recordsPublished": 2\b/,
    mqtt: /"published": 1\b/,
  };
  for (const [fn, published] of Object.entries(PUBLISHED)) {
    it(`${fn}: runs once for an EventBridge scheduled event and ends by itself`, async () => {
      const result = await invoke(fn, SCHEDULED);
      expect(result.output, result.output).not.toMatch(/"errorMessage"/);
      expect(result.output).toMatch(published);
      expect(result.code, result.output).toBe(0);
      expect(result.ms).toBeLessThan(60_000);
      process.stdout.write(`invoke local ${fn}: ${result.ms} ms\n`);
    }, 200_000);
  }
});
