import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClientConfig,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import { awsErrorKind } from '../core/aws-errors.js';
import { parseWithSchema } from '../core/options.js';
import { CheckpointStoreError } from './errors.js';
import { CheckpointStore } from './store.js';
import { DEFAULT_CHECKPOINT_TABLE } from './table.js';
import type { Clock, ConditionalResult, StoredCheckpoint } from './types.js';

export interface DynamoDbCheckpointStoreOptions {
  /** Defaults to {@link DEFAULT_CHECKPOINT_TABLE}. */
  tableName?: string;
  /** A ready client; otherwise one is made from `endpoint`, `region` and `credentials`. */
  client?: DynamoDBClient;
  /** e.g. `http://127.0.0.1:8000` for dynalite / DynamoDB Local; the SDK default otherwise. */
  endpoint?: string;
  region?: string;
  credentials?: DynamoDBClientConfig['credentials'];
  clock?: Clock;
}

const OptionsSchema = z.strictObject({
  tableName: z.string().min(3).max(255).default(DEFAULT_CHECKPOINT_TABLE),
  client: z.instanceof(DynamoDBClient).optional(),
  endpoint: z.url().optional(),
  region: z.string().min(1).optional(),
  credentials: z.any().optional(),
  clock: z.custom<Clock>((v) => typeof v === 'function', 'must be a function').optional(),
});

/** Fills defaults and rejects unknown keys, naming them. */
export function parseDynamoDbCheckpointStoreOptions(options: DynamoDbCheckpointStoreOptions = {}) {
  const parsed = parseWithSchema(OptionsSchema, options, 'DynamoDB checkpoint store options');
  return parsed as typeof parsed & { credentials?: DynamoDBClientConfig['credentials'] };
}

// Attribute names go through placeholders: `version` and friends are too close to DynamoDB's
// long reserved-word list to risk.
const NAMES = { '#id': 'id', '#cp': 'checkpoint', '#v': 'version', '#o': 'leaseOwner', '#u': 'leaseUntil', '#t': 'updatedAt' };
const HELD = '#o = :owner AND #u > :now AND #v = :version';

const n = (value: number | bigint): AttributeValue => ({ N: value.toString() });
const s = (value: string): AttributeValue => ({ S: value });

/**
 * Checkpoints in a DynamoDB table (design §4): strongly consistent reads, conditional
 * `UpdateItem`s only (no transactions, so dynalite and DynamoDB Local serve as well), numbers
 * decoded without loss (`version` is a bigint).
 *
 * @example
 * const store = new DynamoDbCheckpointStore({ tableName: 'danube-checkpoints',
 *   endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
 */
export class DynamoDbCheckpointStore extends CheckpointStore {
  readonly tableName: string;
  private readonly client: DynamoDBClient;
  private readonly ownsClient: boolean;

  constructor(options: DynamoDbCheckpointStoreOptions = {}) {
    const parsed = parseDynamoDbCheckpointStoreOptions(options);
    super(parsed.clock);
    this.tableName = parsed.tableName;
    this.ownsClient = !parsed.client;
    this.client =
      parsed.client ??
      new DynamoDBClient({
        ...(parsed.endpoint ? { endpoint: parsed.endpoint } : {}),
        ...(parsed.region ? { region: parsed.region } : {}),
        ...(parsed.credentials ? { credentials: parsed.credentials } : {}),
      });
  }

  /** Releases the HTTP connections of a client this store created; safe to call twice. */
  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  protected async _get(key: string): Promise<StoredCheckpoint | undefined> {
    try {
      const { Item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { id: s(key) }, ConsistentRead: true }));
      return Item && fromItem(Item);
    } catch (err) {
      throw this.wrap('read', key, err);
    }
  }

  protected _acquire(key: string, owner: string, until: number, now: number): Promise<ConditionalResult> {
    return this.update(key, 'take the lease on', {
      UpdateExpression: 'SET #o = :owner, #u = :until, #v = if_not_exists(#v, :zero)',
      ConditionExpression: 'attribute_not_exists(#id) OR attribute_not_exists(#o) OR #u <= :now OR #o = :owner',
      ExpressionAttributeValues: { ':owner': s(owner), ':until': n(until), ':now': n(now), ':zero': n(0) },
    });
  }

  protected _renew(key: string, owner: string, version: bigint, until: number, now: number): Promise<ConditionalResult> {
    return this.update(key, 'renew the lease on', {
      UpdateExpression: 'SET #u = :until',
      ConditionExpression: HELD,
      ExpressionAttributeValues: { ':owner': s(owner), ':until': n(until), ':now': n(now), ':version': n(version) },
    });
  }

  protected _commit(key: string, owner: string, version: bigint, checkpoint: string, until: number, now: number): Promise<ConditionalResult> {
    return this.update(key, 'commit', {
      UpdateExpression: 'SET #cp = :cp, #v = #v + :one, #t = :now, #u = :until',
      ConditionExpression: HELD,
      ExpressionAttributeValues: {
        ':owner': s(owner),
        ':until': n(until),
        ':now': n(now),
        ':version': n(version),
        ':cp': s(checkpoint),
        ':one': n(1),
      },
    });
  }

  protected _release(key: string, owner: string): Promise<ConditionalResult> {
    return this.update(key, 'release the lease on', {
      UpdateExpression: 'REMOVE #o, #u',
      ConditionExpression: '#o = :owner',
      ExpressionAttributeValues: { ':owner': s(owner) },
    });
  }

  protected _overwrite(key: string, checkpoint: string | undefined, force: boolean, now: number): Promise<ConditionalResult> {
    const values: Record<string, AttributeValue> = { ':now': n(now), ':zero': n(0), ':one': n(1) };
    let expression = 'SET #v = if_not_exists(#v, :zero) + :one, #t = :now';
    if (checkpoint === undefined) expression += ' REMOVE #cp';
    else {
      expression += ', #cp = :cp';
      values[':cp'] = s(checkpoint);
    }
    return this.update(key, 'overwrite', {
      UpdateExpression: expression,
      // Operators may not write under a live lease unless they force it.
      ...(force ? {} : { ConditionExpression: 'attribute_not_exists(#o) OR #u <= :now' }),
      ExpressionAttributeValues: values,
    });
  }

  private async update(
    key: string,
    what: string,
    input: Pick<UpdateItemCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>,
  ): Promise<ConditionalResult> {
    const expressions = `${input.UpdateExpression} ${input.ConditionExpression ?? ''}`;
    const names = Object.fromEntries(Object.entries(NAMES).filter(([placeholder]) => expressions.includes(placeholder)));
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { id: s(key) },
          ...input,
          ExpressionAttributeNames: names,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (!Attributes) throw new Error('UpdateItem returned no attributes');
      return { ok: true, item: fromItem(Attributes) };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        // Not every DynamoDB-compatible server returns the old item with the failure: read it.
        return { ok: false, found: err.Item ? fromItem(err.Item) : await this._get(key) };
      }
      throw this.wrap(what, key, err);
    }
  }

  private wrap(what: string, key: string, err: unknown): CheckpointStoreError {
    const e = err as { name?: string; message?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    // Without an HTTP status the call never reached DynamoDB (network): worth another try.
    const kind = awsErrorKind(err);
    const retryable = kind === undefined ? status === undefined || status >= 500 : kind !== 'fatal';
    const hint = e.name === 'ResourceNotFoundException' ? ` (does table ${this.tableName} exist?)` : '';
    return new CheckpointStoreError(`could not ${what} checkpoint ${key}: ${e.name ?? 'Error'}: ${e.message}${hint}`, key, retryable, err);
  }
}

function fromItem(item: Record<string, AttributeValue>): StoredCheckpoint {
  // wrapNumbers: every number stays a decimal string, so a uint64 version is never rounded.
  const raw = unmarshall(item, { wrapNumbers: true }) as Record<string, unknown>;
  const stored: StoredCheckpoint = { id: String(raw.id), version: raw.version === undefined ? 0n : BigInt(String(raw.version)) };
  if (typeof raw.checkpoint === 'string') stored.checkpoint = raw.checkpoint;
  if (typeof raw.leaseOwner === 'string') stored.leaseOwner = raw.leaseOwner;
  if (raw.leaseUntil !== undefined) stored.leaseUntil = Number(String(raw.leaseUntil));
  if (raw.updatedAt !== undefined) stored.updatedAt = Number(String(raw.updatedAt));
  return stored;
}
