// A deployed source whose JWT lives in SSM Parameter Store or Secrets Manager, as the Serverless
// plugin deploys it (DANUBE_TOKEN_SSM_PARAMETER / DANUBE_TOKEN_SECRET_ID, never DANUBE_TOKEN),
// against an embedded broker that requires the token. The AWS SDK itself makes the SSM call.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBrokerToken, startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';
import { DynamoDbCheckpointStore } from '../../../src/checkpoint/index.js';
import { silentLogger } from '../../../src/core/index.js';
import { scheduledSource } from '../../../src/runtime/scheduled/index.js';
import { lambdaSource, type SecretReader } from '../../../src/runtime/lambda/index.js';
import { SourceRunError } from '../../../src/source/index.js';
import { createCheckpointTable, localDynamoClient, startDynalite, type LocalDynamo } from '../../support/dynamo.js';
import { drain, itemOf, listSource, TABLE, watch } from './helpers.js';

const JWT_SECRET = 'stored-token-test-secret';
const PARAMETER = '/danube/dev/token';

/**
 * A stand-in for the SSM endpoint: the real service is on the internet, which tests may not reach,
 * and no SSM emulator is installed here. It speaks the same JSON 1.1 protocol the SDK sends
 * (`POST /`, `X-Amz-Target: AmazonSSM.GetParameter`), so the SDK client, its serializer and the
 * endpoint variable are all exercised; only the signature goes unchecked.
 */
interface SsmStandIn {
  url: string;
  requests: Array<{ target: string; name: string; withDecryption: boolean }>;
  close(): Promise<void>;
}

async function startSsmStandIn(parameters: Record<string, string>): Promise<SsmStandIn> {
  const requests: SsmStandIn['requests'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = JSON.parse(body || '{}') as { Name?: string; WithDecryption?: boolean };
      requests.push({ target, name: input.Name ?? '', withDecryption: input.WithDecryption === true });
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      if (target !== 'AmazonSSM.GetParameter') return reply(400, { __type: 'InvalidAction', message: `unsupported ${target}` });
      const value = input.Name !== undefined ? parameters[input.Name] : undefined;
      if (value === undefined) return reply(400, { __type: 'ParameterNotFound', message: '' });
      reply(200, { Parameter: { Name: input.Name, Type: 'SecureString', Value: value, Version: 1, DataType: 'text' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function lambdaContext(requestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'shop-dev-orders',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:shop-dev-orders',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/shop-dev-orders',
    logStreamName: '2026/11/22/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

let broker: Broker;
let dynamo: LocalDynamo;
let ssm: SsmStandIn;
let admin: DanubeClient;
let store: DynamoDbCheckpointStore;
let base: Record<string, string>;

beforeAll(async () => {
  [broker, dynamo] = await Promise.all([
    startBroker({ port: 0, auth: { jwtSecret: JWT_SECRET, superAdmins: ['orders-source', 'test', 'cron-source'] }, dispatch: { maxUnackedMessages: 1000 } }),
    startDynalite(),
  ]);
  ssm = await startSsmStandIn({ [PARAMETER]: signBrokerToken(JWT_SECRET, { sub: 'orders-source' }) });
  await createCheckpointTable(dynamo.endpoint, TABLE);
  admin = new DanubeClient({ serviceUrl: broker.url, token: signBrokerToken(JWT_SECRET, { sub: 'test' }), connectTimeoutMs: 5_000, requestTimeoutMs: 3_000 });
  store = new DynamoDbCheckpointStore({ tableName: TABLE, client: localDynamoClient(dynamo.endpoint) });
  // What the plugin sets on a deployed source, plus the endpoints of the local stand-ins.
  base = {
    DANUBE_SERVICE_URL: broker.url,
    DANUBE_CHECKPOINT_TABLE: TABLE,
    DANUBE_SERVICE: 'shop',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SSM: ssm.url,
    AWS_REGION: 'us-east-1',
  };
});

afterAll(async () => {
  await admin?.close();
  store?.close();
  await Promise.all([broker?.close(), dynamo?.close(), ssm?.close()]);
});

const SCHEDULED = { 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-22T08:00:00Z', resources: [], detail: {} };

describe('a source whose token is stored in SSM (DANUBE_TOKEN_SSM_PARAMETER)', () => {
  it('authenticates with the stored token, reading it once per cold start', async () => {
    const consumer = await watch(admin, '/default/ssm-orders');
    const handler = lambdaSource(listSource('ssm-orders', '/default/ssm-orders', 5, 5), {
      env: { ...base, DANUBE_TOKEN_SSM_PARAMETER: PARAMETER },
      logger: silentLogger,
    });
    try {
      expect(await handler(SCHEDULED, lambdaContext('req-1', 10_000))).toMatchObject({ stopReason: 'done', recordsPublished: 5 });
      expect((await drain(consumer, 5)).map(itemOf)).toEqual([0, 1, 2, 3, 4]);
      expect(await handler(SCHEDULED, lambdaContext('req-2', 10_000))).toMatchObject({ stopReason: 'done', checkpointBefore: 5 });
      expect(ssm.requests).toEqual([{ target: 'AmazonSSM.GetParameter', name: PARAMETER, withDecryption: true }]);
      expect(await store.get('shop/ssm-orders')).toMatchObject({ checkpoint: 5 });
    } finally {
      await handler.dispose();
      await consumer.close();
    }
  });

  it('fails the run naming the variable and the parameter when the parameter does not exist', async () => {
    const handler = lambdaSource(listSource('ssm-missing', '/default/ssm-missing', 1, 1), {
      env: { ...base, DANUBE_TOKEN_SSM_PARAMETER: '/danube/dev/no-such-token' },
      logger: silentLogger,
    });
    try {
      const err = await handler(SCHEDULED, lambdaContext('req-3', 5_000)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceRunError);
      expect((err as Error).message).toContain('SSM parameter "/danube/dev/no-such-token" (DANUBE_TOKEN_SSM_PARAMETER)');
      expect((err as Error).message).toContain('ParameterNotFound');
    } finally {
      await handler.dispose();
    }
  });

  it('is refused by the broker without any token, as before the token was stored', async () => {
    const handler = lambdaSource(listSource('no-token', '/default/no-token', 1, 1), { env: base, logger: silentLogger });
    try {
      const err = await handler(SCHEDULED, lambdaContext('req-4', 5_000)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceRunError);
      expect((err as Error).message.toLowerCase()).toMatch(/unauthenticated|token/);
    } finally {
      await handler.dispose();
    }
  });
});

describe('a Cloudflare-style scheduled source whose token is in Secrets Manager (DANUBE_TOKEN_SECRET_ID)', () => {
  it('reads it through the secret reader it is given', async () => {
    const asked: string[] = [];
    // Injected: this test is about the adapter using the reader, the SDK path is shown above.
    const secretReader: SecretReader = {
      ssmParameter: () => Promise.reject(new Error('not expected')),
      secret: async (id) => (asked.push(id), signBrokerToken(JWT_SECRET, { sub: 'cron-source' })),
    };
    const consumer = await watch(admin, '/default/secret-orders');
    const worker = scheduledSource(listSource('secret-orders', '/default/secret-orders', 3, 3), { budgetMs: 5_000, logger: silentLogger, secretReader });
    try {
      await worker.scheduled({ scheduledTime: Date.now(), cron: '*/5 * * * *' }, { ...base, DANUBE_TOKEN_SECRET_ID: 'danube/dev/token-a' });
      await worker.scheduled({ scheduledTime: Date.now(), cron: '*/5 * * * *' }, { ...base, DANUBE_TOKEN_SECRET_ID: 'danube/dev/token-a' });
      expect((await drain(consumer, 3)).map(itemOf)).toEqual([0, 1, 2]);
      expect(asked).toEqual(['danube/dev/token-a']);
    } finally {
      await worker.dispose();
      await consumer.close();
    }
  });
});
