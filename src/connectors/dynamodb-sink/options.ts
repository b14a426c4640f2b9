import * as z from 'zod';
import { parseWithSchema } from '../../core/options.js';
import { parseJsonPath } from '../http-poller/json-path.js';

/** BatchWriteItem takes at most 25 requests. */
export const DYNAMODB_BATCH_LIMIT = 25;
export const DEFAULT_DYNAMODB_SINK_MAX_ATTEMPTS = 5;
export const DEFAULT_DYNAMODB_SINK_BACKOFF_MS = 50;

// A source expression: a JSON path into the payload (`$.order.id`), or record metadata.
const RECORD_FIELDS = ['$record.id', '$record.topic', '$record.offset', '$record.publishTime', '$record.key', '$record.producerName'] as const;
const source = z.string().refine(
  (s) => {
    if (s.startsWith('$record.')) return (RECORD_FIELDS as readonly string[]).includes(s) || s.startsWith('$record.attributes.');
    try {
      parseJsonPath(s);
      return true;
    } catch {
      return false;
    }
  },
  `a JSON path into the payload ($.a.b) or one of ${RECORD_FIELDS.join(', ')}, $record.attributes.<name>`,
);

const DynamoDbSinkSchema = z.strictObject({
  table: z.string().min(3).max(255),
  /**
   * Item attribute ← source. Without it the payload (a JSON object) is the item. With it, only
   * the mapped attributes are written (add `"*": "$"` to start from the whole payload).
   */
  attributes: z.record(z.string().min(1), source).optional(),
  /** The table's key attribute names; read with DescribeTable when absent. */
  keyAttributes: z.array(z.string().min(1)).min(1).max(2).optional(),
  /** Write the record id into this attribute (useful for idempotency audits); off when absent. */
  recordIdAttribute: z.string().min(1).optional(),
  /** Tries of BatchWriteItem for items DynamoDB returns as unprocessed (throttling). */
  maxAttempts: z.number().int().min(1).default(DEFAULT_DYNAMODB_SINK_MAX_ATTEMPTS),
  initialBackoffMs: z.number().int().min(0).default(DEFAULT_DYNAMODB_SINK_BACKOFF_MS),
  maxBackoffMs: z.number().int().min(0).default(2_000),
  /** Drop attributes whose value is undefined or an empty set instead of failing the record. */
  removeUndefinedValues: z.boolean().default(true),
});

/** DynamoDB sink configuration (see docs/connectors/dynamodb-sink.md). */
export type DynamoDbSinkOptions = z.input<typeof DynamoDbSinkSchema>;
export type DynamoDbSinkConfig = z.output<typeof DynamoDbSinkSchema>;

/**
 * Fills defaults and rejects unknown keys, naming them.
 *
 * @example
 * parseDynamoDbSinkOptions({ table: 'orders', attributes: { pk: '$.customerId', sk: '$.orderId', '*': '$' } });
 */
export function parseDynamoDbSinkOptions(options: DynamoDbSinkOptions): DynamoDbSinkConfig {
  return parseWithSchema(DynamoDbSinkSchema, options, 'dynamodb-sink options');
}
