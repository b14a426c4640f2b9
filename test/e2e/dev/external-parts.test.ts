// `npm start` pointed at parts it did not start: a Danube broker (DANUBE_SERVICE_URL) and a
// DynamoDB endpoint (AWS_ENDPOINT_URL_DYNAMODB), both run by this test on 127.0.0.1.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { silentLogger } from '../../../src/core/logger.js';
import { startDynalite, type LocalDynamo } from '../../support/dynamo.js';
import { copyProject } from '../../support/project-copy.js';

let dir: string;
let broker: Broker;
let dynamo: LocalDynamo;

beforeAll(async () => {
  dir = await copyProject('danube-start-ext-');
  broker = await startBroker({ port: 0, logger: silentLogger });
  // On a real cluster the operator creates the topics; here the test does.
  for (const t of ['/default/orders', '/default/orders-dlq']) broker.admin.createTopic(t, { dispatch: 'reliable' });
  dynamo = await startDynalite();
});

afterAll(async () => {
  await broker?.close();
  await dynamo?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('uses the given broker and DynamoDB instead of starting its own', async () => {
  const child = spawn(process.execPath, [join(dir, 'bin', 'danube-connect.mjs'), 'dev', '--duration', '80', '--status-interval', '1'], {
    cwd: dir,
    env: {
      ...process.env,
      DANUBE_SERVICE_URL: broker.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise<number | null>((ok) => child.on('close', ok));
  const sinkFile = join(dir, '.danube', 'example-orders.jsonl');
  const end = Date.now() + 60_000;
  const settled = () => broker.admin.describeTopic('/default/orders-dlq')?.published === 1 && existsSync(sinkFile);
  while (!settled() || (await readFile(sinkFile, 'utf8')).trim().split('\n').length < 9) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`the pipeline did not deliver in time\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGINT');
  const code = await closed;
  expect(code, stderr).toBe(0);
  expect(stdout).toContain(`broker ${broker.url}, dynamodb ${dynamo.endpoint}`);
  expect(existsSync(join(dir, '.danube', 'broker')), 'no embedded broker data').toBe(false);

  // The checkpoint is in the given DynamoDB, the records went through the given broker.
  const ddb = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const row = await ddb.send(
    new GetItemCommand({ TableName: 'danube-connect-dev-danube-checkpoints', Key: { id: { S: 'danube-connect/example-orders' } }, ConsistentRead: true }),
  );
  ddb.destroy();
  expect(JSON.parse(row.Item!.checkpoint!.S!)).toEqual({ seq: 10 });
  expect(broker.admin.describeTopic('/default/orders')!.published).toBe(10);
  expect(broker.admin.describeTopic('/default/orders-dlq')!.published).toBe(1);
  const orders = (await readFile(join(dir, '.danube', 'example-orders.jsonl'), 'utf8')).trim().split('\n');
  expect(orders).toHaveLength(9);
}, 120_000);
