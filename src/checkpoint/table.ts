import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CheckpointStoreError } from './errors.js';

/** The table name used when none is configured. */
export const DEFAULT_CHECKPOINT_TABLE = 'danube-checkpoints';

/**
 * The checkpoint table: one string hash key `id`, on-demand billing. Every other attribute
 * (`checkpoint`, `version`, `leaseOwner`, `leaseUntil`, `updatedAt`) is schemaless. The same
 * definition is written as CloudFormation in `infra/checkpoint-table.yml`.
 */
export function checkpointTableDefinition(tableName: string = DEFAULT_CHECKPOINT_TABLE): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

/**
 * Creates the checkpoint table if it does not exist and waits until it is ACTIVE.
 * Meant for local runs (dynalite, DynamoDB Local) and tests; deployed stacks create the
 * table from `infra/checkpoint-table.yml`.
 *
 * @example
 * await ensureCheckpointTable(new DynamoDBClient({ endpoint }), 'danube-checkpoints');
 */
export async function ensureCheckpointTable(client: DynamoDBClient, tableName: string = DEFAULT_CHECKPOINT_TABLE, timeoutMs = 20_000): Promise<void> {
  try {
    await client.send(new CreateTableCommand(checkpointTableDefinition(tableName)));
  } catch (err) {
    // A table that already exists is what we wanted.
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') return;
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
    if (Date.now() > deadline) {
      throw new CheckpointStoreError(`checkpoint table ${tableName} did not become ACTIVE in ${timeoutMs} ms`, tableName, true);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
