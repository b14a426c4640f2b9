// The CheckpointStore contract against real DynamoDB-compatible servers: dynalite and
// DynamoDB Local, same test code.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStoreError, DynamoDbCheckpointStore } from '../../../src/checkpoint/index.js';
import { ConfigError as ConfigErrorLike } from '../../../src/core/errors.js';
import { LOCAL_DYNAMOS, createCheckpointTable, localDynamoClient, type LocalDynamo } from '../../support/dynamo.js';
import { describeStoreContract } from '../../unit/checkpoint/store-contract.js';

for (const server of LOCAL_DYNAMOS) {
  describe(server.name, () => {
    let dynamo: LocalDynamo;
    const stores: DynamoDbCheckpointStore[] = [];
    const clock = { now: 1_763_800_000_000 };

    beforeAll(async () => {
      dynamo = await server.start();
      await createCheckpointTable(dynamo.endpoint, 'checkpoints');
    });
    afterAll(async () => {
      for (const s of stores) s.close();
      await dynamo?.close();
    });

    const makeStore = () => {
      const store = new DynamoDbCheckpointStore({
        tableName: 'checkpoints',
        client: localDynamoClient(dynamo.endpoint),
        clock: () => clock.now,
      });
      stores.push(store);
      return store;
    };

    describeStoreContract(server.name, () => ({ store: makeStore(), clock }));

    it('reads a uint64 version without rounding it', async () => {
      const client = localDynamoClient(dynamo.endpoint);
      await client.send(
        new PutItemCommand({
          TableName: 'checkpoints',
          Item: { id: { S: 'svc/huge' }, version: { N: '18446744073709551614' }, checkpoint: { S: '{"at":1}' } },
        }),
      );
      client.destroy();
      const store = makeStore();
      const lease = await store.acquireLease('svc/huge', { owner: 'a' });
      expect(lease.version).toBe(18446744073709551614n);
      const next = await store.commit(lease, { at: 2 });
      expect(next.version).toBe(18446744073709551615n);
      expect(await store.get('svc/huge')).toMatchObject({ version: 18446744073709551615n, checkpoint: { at: 2 } });
    });

    it('names the table when it does not exist, and does not call that retryable', async () => {
      const store = new DynamoDbCheckpointStore({ tableName: 'no-such-table', client: localDynamoClient(dynamo.endpoint) });
      const err = await store.get('svc/x').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CheckpointStoreError);
      expect((err as Error).message).toContain('no-such-table');
      expect((err as CheckpointStoreError).retryable).toBe(false);
    });
  });
}

describe('DynamoDbCheckpointStore failures', () => {
  it('calls an unreachable endpoint a retryable store error, naming the operation and key', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const client = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const store = new DynamoDbCheckpointStore({ client });
    const err = await store.acquireLease('svc/down', { owner: 'a' }).catch((e: unknown) => e);
    client.destroy();
    expect(err).toBeInstanceOf(CheckpointStoreError);
    expect(err).toMatchObject({ retryable: true, key: 'svc/down' });
    expect((err as Error).message).toMatch(/^could not take the lease on checkpoint svc\/down: /);
  });
});

describe('DynamoDbCheckpointStore options', () => {
  it('rejects an unknown key, naming it', () => {
    expect(() => new DynamoDbCheckpointStore({ tabelName: 'x' } as never)).toThrow(ConfigErrorLike);
    expect(() => new DynamoDbCheckpointStore({ tabelName: 'x' } as never)).toThrow(/tabelName: unknown key/);
  });
});
