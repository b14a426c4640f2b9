// The MQTT, webhook and bridge handlers deployed as the Serverless plugin deploys them: the broker wants a
// JWT, and the function only knows where it is stored (DANUBE_TOKEN_SSM_PARAMETER), never the token
// itself (the bridge: BRIDGE_DESTINATION_TOKEN_SSM_PARAMETER for its destination). The AWS SDK
// makes the SSM call, to a stand-in on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { signBrokerToken, startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient, type Consumer } from '../../../src/client/index.js';
import { silentLogger } from '../../../src/core/logger.js';
import { encodeSinkBatch } from '../../../src/sink/event.js';
import { startMosquitto, type LocalMosquitto } from '../../support/mosquitto.js';

const JWT_SECRET = 'functions-stored-token-secret';
const PARAMETER = '/danube/dev/token';

/**
 * A stand-in for the SSM endpoint (the real one is on the internet, which tests may not reach, and
 * no SSM emulator is installed). It answers GetParameter in the JSON 1.1 protocol the SDK speaks.
 */
async function startSsm(parameters: Record<string, string>): Promise<{ url: string; reads: string[]; close(): Promise<void> }> {
  const reads: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { Name } = JSON.parse(body || '{}') as { Name?: string };
      reads.push(`${String(req.headers['x-amz-target'])} ${Name}`);
      const value = Name === undefined ? undefined : parameters[Name];
      res.writeHead(value === undefined ? 400 : 200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify(
          value === undefined ? { __type: 'ParameterNotFound', message: '' } : { Parameter: { Name, Type: 'SecureString', Value: value, Version: 1 } },
        ),
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reads,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

let broker: Broker;
let ssm: Awaited<ReturnType<typeof startSsm>>;
let mq: LocalMosquitto;
let admin: DanubeClient;

beforeAll(async () => {
  [broker, ssm, mq] = await Promise.all([
    startBroker({ port: 0, auth: { jwtSecret: JWT_SECRET, superAdmins: ['connector', 'test'] }, logger: silentLogger }),
    startSsm({ [PARAMETER]: signBrokerToken(JWT_SECRET, { sub: 'connector' }) }),
    startMosquitto(),
  ]);
  admin = new DanubeClient({ serviceUrl: broker.url, token: signBrokerToken(JWT_SECRET, { sub: 'test' }), logger: silentLogger });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await admin?.close();
  await broker?.close();
  await ssm?.close();
  await mq?.close();
});
beforeEach(() => {
  vi.resetModules();
  ssm.reads.length = 0;
  for (const name of [
    'DANUBE_TOKEN',
    'DANUBE_TOKEN_SECRET_ID',
    'AWS_ACCESS_KEY_ID',
    'AWS_PROFILE',
    'BRIDGE_DESTINATION_TOKEN',
    'BRIDGE_DESTINATION_TOKEN_SECRET_ID',
  ])
    vi.stubEnv(name, undefined);
  vi.stubEnv('DANUBE_SERVICE_URL', broker.url);
  vi.stubEnv('DANUBE_TOKEN_SSM_PARAMETER', PARAMETER);
  vi.stubEnv('AWS_ENDPOINT_URL_SSM', ssm.url);
  vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
});

async function subscribe(topic: string): Promise<Consumer> {
  const setup = await admin.createProducer({ topic, name: 'setup', dispatch: 'reliable' });
  await setup.close();
  return admin.subscribe({ topic, subscription: 'check', type: 'exclusive' });
}

async function next(consumer: Consumer): Promise<string> {
  const msg = await consumer.receive({ timeoutMs: 5_000 });
  expect(msg, 'a message arrives').toBeDefined();
  await consumer.ack(msg!);
  return Buffer.from(msg!.payload).toString();
}

const context = (id: string, remainingMs = 10_000) => ({ awsRequestId: id, getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

describe('handlers with the Danube token stored in SSM', () => {
  it('functions/webhook.ts publishes with the stored token, read once for two requests', async () => {
    vi.stubEnv('WEBHOOK_CONFIG', JSON.stringify({ routes: [{ path: '/in', topic: '/default/stored-webhook' }] }));
    const out = await subscribe('/default/stored-webhook');
    const { handler } = await import('../../../functions/webhook.js');
    const event = (body: string) =>
      ({
        version: '2.0',
        routeKey: '$default',
        rawPath: '/in',
        rawQueryString: '',
        isBase64Encoded: false,
        body,
        headers: { 'content-type': 'application/json' },
        requestContext: { http: { method: 'POST', path: '/in', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' } },
      }) as unknown as APIGatewayProxyEventV2;
    try {
      expect(await handler(event('{"n":1}'), context('w1'))).toMatchObject({ statusCode: 202 });
      expect(await handler(event('{"n":2}'), context('w2'))).toMatchObject({ statusCode: 202 });
      expect([await next(out), await next(out)]).toEqual(['{"n":1}', '{"n":2}']);
      expect(ssm.reads).toEqual([`AmazonSSM.GetParameter ${PARAMETER}`]);
    } finally {
      await out.close();
    }
  });

  it('functions/mqtt.ts drains into Danube with the stored token', async () => {
    vi.stubEnv(
      'MQTT_CONFIG',
      JSON.stringify({ name: 'stored', url: mq.url, clientId: 'danube-stored', idleMs: 300, routes: [{ filter: 'stored/#', topic: '/default/stored-mqtt' }] }),
    );
    const out = await subscribe('/default/stored-mqtt');
    const { handler } = await import('../../../functions/mqtt.js');
    const pub = await connectAsync(mq.url, { clientId: 'stored-publisher', reconnectPeriod: 0 });
    try {
      // The first run opens the persistent session; what is published after it is queued for the next.
      await handler({ 'detail-type': 'Scheduled Event' }, context('m1', 5_000));
      await pub.publishAsync('stored/a', 'reading', { qos: 1 });
      expect(await handler({ 'detail-type': 'Scheduled Event' }, context('m2', 5_000))).toMatchObject({ published: 1 });
      expect(await next(out)).toBe('reading');
      expect(ssm.reads).toEqual([`AmazonSSM.GetParameter ${PARAMETER}`]);
    } finally {
      await pub.endAsync();
      await out.close();
    }
  });

  it('functions/bridge.ts republishes with the destination token stored in SSM', async () => {
    // This cluster's own variables point elsewhere: the destination must not inherit them.
    vi.stubEnv('DANUBE_SERVICE_URL', 'http://127.0.0.1:9');
    vi.stubEnv('DANUBE_TOKEN_SSM_PARAMETER', '/danube/dev/wrong-token');
    vi.stubEnv('BRIDGE_DESTINATION_TOKEN_SSM_PARAMETER', PARAMETER);
    vi.stubEnv(
      'BRIDGE_CONFIG',
      JSON.stringify({ clusterId: 'eu', destination: { clusterId: 'us', serviceUrl: broker.url }, topicMap: { '/default/orders': '/default/stored-bridge' } }),
    );
    const out = await subscribe('/default/stored-bridge');
    const { handler } = await import('../../../functions/bridge.js');
    const batch = (n: number) =>
      encodeSinkBatch(
        [{ topic: '/default/orders', offset: BigInt(n), publishTime: 1, producerName: 'p', attributes: {}, payload: new TextEncoder().encode(`{"n":${n}}`) }],
        { binding: 'orders-bridge', topic: '/default/orders', subscription: 'orders-bridge' },
      );
    try {
      expect(await handler(batch(0), context('b1'))).toEqual({ batchItemFailures: [] });
      expect(await handler(batch(1), context('b2'))).toEqual({ batchItemFailures: [] });
      expect([await next(out), await next(out)]).toEqual(['{"n":0}', '{"n":1}']);
      expect(ssm.reads).toEqual([`AmazonSSM.GetParameter ${PARAMETER}`]);
    } finally {
      await out.close();
    }
  });

  it('functions/bridge.ts refuses both a destination parameter and a secret', async () => {
    vi.stubEnv('BRIDGE_DESTINATION_TOKEN_SSM_PARAMETER', PARAMETER);
    vi.stubEnv('BRIDGE_DESTINATION_TOKEN_SECRET_ID', 'danube/us/token');
    vi.stubEnv('BRIDGE_CONFIG', JSON.stringify({ clusterId: 'eu', destination: { clusterId: 'us', serviceUrl: broker.url } }));
    await expect(import('../../../functions/bridge.js')).rejects.toThrow(
      'set either BRIDGE_DESTINATION_TOKEN_SSM_PARAMETER or BRIDGE_DESTINATION_TOKEN_SECRET_ID, not both',
    );
  });
});
