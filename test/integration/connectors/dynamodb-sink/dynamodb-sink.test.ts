import { CreateTableCommand, GetItemCommand, ScanCommand, type BatchWriteItemCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbSink } from '../../../../src/connectors/dynamodb-sink/sink.js';
import { encodeSinkBatch, type EncodableRecord } from '../../../../src/sink/event.js';
import { runSink } from '../../../../src/sink/run.js';
import { LOCAL_DYNAMOS, localDynamoClient, type LocalDynamo } from '../../../support/dynamo.js';

function rec(offset: number, payload: unknown, extra: Partial<EncodableRecord> = {}): EncodableRecord {
  const bytes = new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return {
    topic: '/default/orders-part-0',
    offset: BigInt(offset),
    publishTime: 1_763_800_000_000,
    producerName: 'p',
    attributes: { region: 'eu' },
    payload: bytes,
    ...extra,
  };
}
const event = (records: EncodableRecord[]) => encodeSinkBatch(records, { binding: 'orders-ddb', topic: '/default/orders', subscription: 's' });

/**
 * Makes the real server see only part of each BatchWriteItem and reports the rest as
 * UnprocessedItems, the way DynamoDB answers when a partition is throttled. Neither dynalite nor
 * DynamoDB Local ever throttle, so this is the one injected fault.
 */
function throttle(client: DynamoDBClient, table: string, hold: number, times: number) {
  let left = times;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand' || left <= 0) return next(args);
      left--;
      const input = args.input as BatchWriteItemCommandInput;
      const all = input.RequestItems![table]!;
      const held = all.slice(-hold);
      const sent = all.slice(0, all.length - held.length);
      if (sent.length === 0) return { output: { UnprocessedItems: { [table]: held }, $metadata: {} }, response: {} } as never;
      input.RequestItems = { [table]: sent };
      const result = (await next(args)) as { output: { UnprocessedItems?: unknown } };
      result.output.UnprocessedItems = { [table]: held };
      return result as never;
    },
    { step: 'initialize', name: 'testThrottle' },
  );
}

describe.each(LOCAL_DYNAMOS)('dynamodb sink against $name', ({ start }) => {
  let dynamo: LocalDynamo;
  let client: DynamoDBClient;
  let n = 0;
  const newTable = async () => {
    const table = `orders_${++n}`;
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    return table;
  };
  const scan = async (table: string) => ((await client.send(new ScanCommand({ TableName: table }))).Items ?? []).map((i) => unmarshall(i));

  beforeAll(async () => {
    dynamo = await start();
    client = localDynamoClient(dynamo.endpoint);
  }, 60_000);
  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
  });

  it('writes 60 records in chunks of 25 with the attribute mapping; bad records fail alone', async () => {
    const table = await newTable();
    const sink = dynamoDbSink(
      { table, attributes: { '*': '$', pk: '$.customer', sk: '$record.id', region: '$record.attributes.region', offset: '$record.offset' } },
      { client },
    );
    const records = Array.from({ length: 60 }, (_, i) => rec(i, { customer: `c${i % 7}`, amount: i, nested: { ok: true } }));
    records[10] = rec(10, 'not json');
    records[20] = rec(20, { amount: 1 }); // no customer: key missing
    const out = await runSink(sink, event(records));
    expect(out.failures.map((f) => [f.itemIdentifier, f.reason])).toEqual([
      ['/default/orders-part-0@10', 'invalid'],
      ['/default/orders-part-0@20', 'invalid'],
    ]);
    const items = await scan(table);
    expect(items).toHaveLength(58);
    expect(items.find((i) => i.sk === '/default/orders-part-0@5')).toEqual({
      pk: 'c5',
      sk: '/default/orders-part-0@5',
      customer: 'c5',
      amount: 5,
      nested: { ok: true },
      region: 'eu',
      offset: '5',
    });
  });

  it('a record DynamoDB itself rejects (ValidationException) fails alone; the rest of its chunk is written', async () => {
    const table = await newTable();
    const sink = dynamoDbSink({ table, attributes: { pk: '$.pk', sk: '$.sk', v: '$.v' } }, { client });
    const out = await runSink(sink, event([rec(1, { pk: 'a', sk: '1', v: 1 }), rec(2, { pk: 42, sk: '2', v: 2 }), rec(3, { pk: 'a', sk: '3', v: 3 })]));
    expect(out.failures).toEqual([expect.objectContaining({ itemIdentifier: '/default/orders-part-0@2', reason: 'invalid' })]);
    expect((await scan(table)).map((i) => i.sk).sort()).toEqual(['1', '3']);
  });

  it('writes two records with the same key in offset order (the later one wins)', async () => {
    const table = await newTable();
    const sink = dynamoDbSink({ table, attributes: { pk: '$.pk', sk: '$.sk', v: '$.v' } }, { client });
    const out = await runSink(
      sink,
      event([rec(1, { pk: 'a', sk: '1', v: 'old' }), rec(2, { pk: 'b', sk: '1', v: 'x' }), rec(3, { pk: 'a', sk: '1', v: 'new' })]),
    );
    expect(out.status).toBe('success');
    const got = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' }, sk: { S: '1' } } }));
    expect(unmarshall(got.Item!).v).toBe('new');
  });

  it('retries UnprocessedItems with backoff, then reports the ones still unprocessed per record', async () => {
    const table = await newTable();
    const mapping = { pk: '$.pk', sk: '$.sk' };
    const retried = localDynamoClient(dynamo.endpoint);
    throttle(retried, table, 3, 1);
    const ok = await runSink(
      dynamoDbSink({ table, attributes: mapping, keyAttributes: ['pk', 'sk'], initialBackoffMs: 5 }, { client: retried }),
      event([1, 2, 3, 4, 5].map((i) => rec(i, { pk: 'p', sk: String(i) }))),
    );
    expect(ok.status).toBe('success');
    expect(await scan(table)).toHaveLength(5);
    const stuck = localDynamoClient(dynamo.endpoint);
    throttle(stuck, table, 2, 100);
    const partial = await runSink(
      dynamoDbSink({ table, attributes: mapping, keyAttributes: ['pk', 'sk'], maxAttempts: 3, initialBackoffMs: 5 }, { client: stuck }),
      event([6, 7, 8, 9].map((i) => rec(i, { pk: 'p', sk: String(i) }))),
    );
    expect(partial.failures.map((f) => [f.itemIdentifier, f.reason])).toEqual([
      ['/default/orders-part-0@8', 'retryable'],
      ['/default/orders-part-0@9', 'retryable'],
    ]);
    expect((await scan(table)).map((i) => i.sk).sort()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    retried.destroy();
    stuck.destroy();
  });

  it('a missing table fails the whole batch as fatal', async () => {
    const out = await runSink(dynamoDbSink({ table: 'no_such_table', keyAttributes: ['pk'] }, { client }), event([rec(1, { pk: 'a' })]));
    expect(out.status).toBe('failed');
    expect(out.error?.kind).toBe('fatal');
  });
});
