import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { ensureCheckpointTable } from '../checkpoint/table.js';
import { IdempotencyConflictError, IdempotencyStore, type IdempotencyItem, type IdempotencyStoreOptions } from './idempotency.js';

export interface DynamoDbIdempotencyStoreOptions extends IdempotencyStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** Attribute names of an idempotency item; `expiration` is the table's TTL attribute. */
const A = { key: 'id', status: 'status', expiration: 'expiration', inProgressUntil: 'inProgressUntil' } as const;

/**
 * Idempotency items in DynamoDB: hash key `id` (S), `status`, `expiration` (N, epoch seconds; enable
 * TTL on it) and `inProgressUntil` (N, ms). Claims are conditional puts, so two invocations
 * racing for one record cannot both win; DynamoDB deletes expired items lazily, so the condition
 * itself treats an expired item as free.
 *
 * @example
 * const store = new DynamoDbIdempotencyStore({ client: new DynamoDBClient({}), tableName: 'orders-sink-idempotency' });
 */
export class DynamoDbIdempotencyStore extends IdempotencyStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: DynamoDbIdempotencyStoreOptions) {
    const { client, tableName, ...rest } = options;
    super(rest);
    this.client = client;
    this.tableName = tableName;
  }

  protected async _get(key: string): Promise<IdempotencyItem | undefined> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { [A.key]: { S: key } }, ConsistentRead: true }));
    return Item ? fromItem(Item) : undefined;
  }

  protected async _put(item: IdempotencyItem, now: number): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(item),
          ConditionExpression: 'attribute_not_exists(#id) OR #exp <= :nowSec OR (#status = :inProgress AND #ipu <= :nowMs)',
          ExpressionAttributeNames: { '#id': A.key, '#exp': A.expiration, '#status': A.status, '#ipu': A.inProgressUntil },
          ExpressionAttributeValues: { ':nowSec': { N: String(Math.floor(now / 1000)) }, ':nowMs': { N: String(now) }, ':inProgress': { S: 'in-progress' } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // Older servers (and some emulators) do not return the item: read it.
      const existing = err.Item ? fromItem(err.Item) : await this._get(item.key);
      throw new IdempotencyConflictError(item.key, existing, { cause: err });
    }
  }

  protected async _update(item: IdempotencyItem): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: toItem(item) }));
  }

  protected async _delete(key: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: { [A.key]: { S: key } } }));
  }
}

function toItem(item: IdempotencyItem): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {
    [A.key]: { S: item.key },
    [A.status]: { S: item.status },
    [A.expiration]: { N: String(item.expiresAt) },
  };
  if (item.inProgressUntil !== undefined) out[A.inProgressUntil] = { N: String(item.inProgressUntil) };
  return out;
}

function fromItem(item: Record<string, AttributeValue>): IdempotencyItem {
  const out: IdempotencyItem = {
    key: item[A.key]?.S ?? '',
    status: item[A.status]?.S === 'completed' ? 'completed' : 'in-progress',
    expiresAt: Number(item[A.expiration]?.N ?? 0),
  };
  if (item[A.inProgressUntil]?.N !== undefined) out.inProgressUntil = Number(item[A.inProgressUntil]!.N);
  return out;
}

/**
 * Creates the table if missing (the same `id`-keyed, on-demand shape as the checkpoint table),
 * waits until ACTIVE and turns TTL on (skipped where the server does not support it). For local
 * runs and tests; deployed stacks declare the table.
 *
 * @example
 * await ensureIdempotencyTable(new DynamoDBClient({ endpoint }), 'orders-sink-idempotency');
 */
export async function ensureIdempotencyTable(client: DynamoDBClient, tableName: string, timeoutMs = 20_000): Promise<void> {
  await ensureCheckpointTable(client, tableName, timeoutMs);
  try {
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: A.expiration, Enabled: true } }));
  } catch {
    // dynalite has no TTL API, and a second call on AWS fails when TTL is already on; the
    // store does not depend on it (expired items are free by condition).
  }
}
