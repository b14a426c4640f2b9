import { BatchWriteItemCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { classifyError } from '../../core/classify.js';
import { FatalError, RetryableError } from '../../core/errors.js';
import type { SinkRecord } from '../../core/records.js';
import { backoff, parseRetryPolicy, sleep } from '../../core/retry.js';
import { defineSink, type Sink, type SinkContext } from '../../sink/define.js';
import type { SinkBatchItemFailure } from '../../sink/event.js';
import { failure } from '../../sink/run.js';
import { itemMapper, keyIdentity, type Item } from './mapping.js';
import { DYNAMODB_BATCH_LIMIT, parseDynamoDbSinkOptions, type DynamoDbSinkConfig, type DynamoDbSinkOptions } from './options.js';

export interface DynamoDbSinkDeps {
  /** A client to use (its lifetime is the caller's); otherwise one is made from `clientConfig`. */
  client?: DynamoDBClient;
  clientConfig?: DynamoDBClientConfig;
}

interface Entry {
  record: SinkRecord;
  item: Item;
  key: string;
}

/**
 * The DynamoDB sink: writes records as items with BatchWriteItem, 25 at a time. Items DynamoDB
 * returns as unprocessed are retried with backoff and, if still unprocessed, reported as
 * retryable per-record failures. A record that cannot be an item, or that DynamoDB rejects on
 * its own (ValidationException, found by writing the chunk item by item), fails alone as
 * invalid. Two records with the same key in one batch are written in offset order (never in one
 * request: DynamoDB refuses duplicate keys there).
 *
 * @example
 * export const sink = dynamoDbSink({ table: 'orders', attributes: { pk: '$.customerId', sk: '$.orderId', '*': '$' } });
 */
export function dynamoDbSink(options: DynamoDbSinkOptions, deps: DynamoDbSinkDeps = {}): Sink {
  const config = parseDynamoDbSinkOptions(options);
  // Made once per container, reused across warm invocations.
  const client = deps.client ?? new DynamoDBClient(deps.clientConfig ?? {});
  const toItem = itemMapper(config);
  let keys: Promise<string[]> | undefined = config.keyAttributes ? Promise.resolve(config.keyAttributes) : undefined;
  const keyAttributes = () =>
    (keys ??= client.send(new DescribeTableCommand({ TableName: config.table })).then(
      (out) => (out.Table?.KeySchema ?? []).map((k) => k.AttributeName!),
      (err) => {
        keys = undefined;
        throw classifyError(err);
      },
    ));
  return defineSink(
    async (records, ctx) => {
      const keyNames = await keyAttributes();
      const failures: SinkBatchItemFailure[] = [];
      const chunks: Entry[][] = [];
      let chunk: Entry[] = [];
      let inChunk = new Set<string>();
      for (const record of records) {
        let item: Item;
        try {
          item = toItem(record, keyNames);
        } catch (err) {
          failures.push(failure(record.id, err));
          continue;
        }
        const key = keyIdentity(item, keyNames);
        if (chunk.length === DYNAMODB_BATCH_LIMIT || inChunk.has(key)) {
          chunks.push(chunk);
          chunk = [];
          inChunk = new Set();
        }
        chunk.push({ record, item, key });
        inChunk.add(key);
      }
      if (chunk.length > 0) chunks.push(chunk);
      for (const c of chunks) await writeChunk(client, config, keyNames, c, ctx, failures);
      if (failures.length > 0) ctx.logger.warn({ failed: failures.length, of: records.length, table: config.table }, 'dynamodb-sink: some records failed');
      return { batchItemFailures: failures };
    },
    { name: 'dynamodb-sink' },
  );
}

async function writeChunk(
  client: DynamoDBClient,
  config: DynamoDbSinkConfig,
  keyNames: readonly string[],
  entries: Entry[],
  ctx: SinkContext,
  failures: SinkBatchItemFailure[],
): Promise<void> {
  const policy = parseRetryPolicy({
    maxAttempts: config.maxAttempts,
    initialDelayMs: config.initialBackoffMs,
    maxDelayMs: config.maxBackoffMs,
    maxElapsedMs: 0,
  });
  let pending = entries;
  let lastError: unknown = new RetryableError(`still unprocessed after ${config.maxAttempts} BatchWriteItem attempts (throttled)`);
  for (let attempt = 1; attempt <= config.maxAttempts && pending.length > 0; attempt++) {
    if (attempt > 1) {
      try {
        await sleep(backoff(attempt - 1, policy), ctx.signal);
      } catch {
        break;
      }
    }
    if (ctx.signal.aborted) break;
    try {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [config.table]: pending.map((e) => ({ PutRequest: { Item: e.item } })) } }), {
        abortSignal: ctx.signal,
      });
      const left = new Set((out.UnprocessedItems?.[config.table] ?? []).map((r) => keyIdentity(r.PutRequest?.Item ?? {}, keyNames)));
      pending = pending.filter((e) => left.has(e.key));
    } catch (err) {
      if ((err as { name?: string }).name === 'ValidationException') {
        // The request names no culprit: write item by item so only the bad records fail.
        await writeOneByOne(client, config, pending, ctx, failures);
        return;
      }
      const error = classifyError(err);
      if (error.kind === 'fatal') throw new FatalError(`dynamodb-sink: table ${config.table}: ${error.message}`, { cause: err });
      lastError = error;
    }
  }
  for (const e of pending) failures.push(failure(e.record.id, lastError, 'retryable'));
}

async function writeOneByOne(
  client: DynamoDBClient,
  config: DynamoDbSinkConfig,
  entries: Entry[],
  ctx: SinkContext,
  failures: SinkBatchItemFailure[],
): Promise<void> {
  for (const e of entries) {
    try {
      await client.send(new PutItemCommand({ TableName: config.table, Item: e.item }), { abortSignal: ctx.signal });
    } catch (err) {
      const name = (err as { name?: string }).name;
      const error = classifyError(err);
      if (error.kind === 'fatal' && name !== 'ValidationException')
        throw new FatalError(`dynamodb-sink: table ${config.table}: ${error.message}`, { cause: err });
      failures.push(failure(e.record.id, err, name === 'ValidationException' ? 'invalid' : error.kind === 'invalid' ? 'invalid' : 'retryable'));
    }
  }
}
