// The deployable handlers (functions/postgres-*.ts) as Lambda runs them: settings from the
// environment, an EventBridge scheduled event or the relay's batch event, a Lambda context.
// Real PostgreSQL, embedded broker, dynalite for the checkpoint table.
import type { Context, ScheduledEvent } from 'aws-lambda';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../../src/broker/index.js';
import { DanubeClient } from '../../../../src/client/index.js';
import { silentLogger } from '../../../../src/core/index.js';
import { encodeSinkBatch } from '../../../../src/sink/index.js';
import { createCheckpointTable, startDynalite, type LocalDynamo } from '../../../support/dynamo.js';
import { startPostgres, type PostgresServer } from '../../../support/postgres.js';

let server: PostgresServer;
let broker: Broker;
let dynamo: LocalDynamo;
let client: DanubeClient;
let db: pg.Client;
const saved = { ...process.env };

const SCHEDULED: ScheduledEvent = {
  version: '0',
  id: 'e1',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-11-22T08:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/pg-cdc'],
  detail: {},
};
const context = (id: string): Context => {
  const deadline = Date.now() + 10_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'shop-dev-pg',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:shop-dev-pg',
    memoryLimitInMB: '256',
    awsRequestId: id,
    logGroupName: '/aws/lambda/shop-dev-pg',
    logStreamName: 's',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
};

beforeAll(async () => {
  [server, broker, dynamo] = await Promise.all([
    startPostgres({ settings: { synchronous_commit: 'on' } }),
    startBroker({ port: 0, logger: silentLogger }),
    startDynalite(),
  ]);
  await createCheckpointTable(dynamo.endpoint, 'checkpoints');
  client = new DanubeClient({ serviceUrl: broker.url, logger: silentLogger });
  db = new pg.Client(server.connectionString);
  await db.connect();
  Object.assign(process.env, {
    DANUBE_SERVICE_URL: broker.url,
    DANUBE_CHECKPOINT_TABLE: 'checkpoints',
    DANUBE_SERVICE: 'shop',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    PG_URL: server.connectionString,
    LOG_LEVEL: 'silent',
  });
});
afterAll(async () => {
  process.env = saved;
  await db?.end();
  await client?.close();
  await broker?.close();
  await dynamo?.close();
  await server?.close();
});

describe('PostgreSQL function handlers', () => {
  it('functions/postgres-cdc.ts publishes the changes of a scheduled run', async () => {
    await db.query('create table items (id int primary key, name text)');
    Object.assign(process.env, { DANUBE_TOPIC: '/default/items-changes', PG_CDC_TABLES: 'items', PG_CDC_SLOT: 'items_fn', PG_CDC_PUBLICATION: 'items_fn' });
    const { handler, source } = await import('../../../../functions/postgres-cdc.js');
    try {
      expect(await handler(SCHEDULED, context('r1'))).toMatchObject({ key: 'shop/postgres-cdc', stopReason: 'done' });
      const producer = await client.createProducer({ topic: '/default/items-changes', name: 'setup', dispatch: 'reliable' });
      await producer.close();
      const consumer = await client.subscribe({ topic: '/default/items-changes', subscription: 'check', type: 'exclusive' });
      await db.query(`insert into items values (1, 'one'), (2, 'two')`);
      expect(await handler(SCHEDULED, context('r2'))).toMatchObject({ recordsPublished: 2 });
      const got = [await consumer.receive({ timeoutMs: 2000 }), await consumer.receive({ timeoutMs: 2000 })];
      expect(got.map((m) => JSON.parse(Buffer.from(m!.payload).toString()).after.name)).toEqual(['one', 'two']);
      await consumer.close();
    } finally {
      await source.close();
      await handler.dispose();
    }
  });

  it('functions/postgres-sink.ts writes the relay batch event and answers in the AWS partial-batch format', async () => {
    await db.query('create table notes (id int primary key, body text not null, _danube_id text unique)');
    Object.assign(process.env, {
      PG_SINK_TABLE: 'notes',
      PG_SINK_COLUMNS: JSON.stringify([
        { column: 'id', from: '$.id', type: 'integer' },
        { column: 'body', from: '$.body' },
      ]),
    });
    const { handler, sink } = await import('../../../../functions/postgres-sink.js');
    const record = (offset: number, payload: unknown) => ({
      topic: '/default/notes-part-0',
      offset: BigInt(offset),
      publishTime: Date.now(),
      producerName: 'p',
      attributes: {},
      payload: new TextEncoder().encode(JSON.stringify(payload)),
    });
    const event = encodeSinkBatch([record(1, { id: 1, body: 'a' }), record(2, { id: 2 }), record(3, { id: 3, body: 'c' })], {
      binding: 'notes',
      topic: '/default/notes',
      subscription: 'notes',
    });
    try {
      const answer = await handler(event, context('s1'));
      expect(answer.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['/default/notes-part-0@2']);
      expect((await db.query('select id from notes order by id')).rows.map((r) => r.id)).toEqual([1, 3]);
    } finally {
      await sink.close();
    }
  });
});
