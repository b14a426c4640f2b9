import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { InvalidRecordError } from '../../core/errors.js';
import type { SinkRecord } from '../../core/records.js';
import { getAtPath, parseJsonPath, type JsonPath } from '../http-poller/json-path.js';
import type { DynamoDbSinkConfig } from './options.js';

export type Item = Record<string, AttributeValue>;

type Getter = (record: SinkRecord, payload: unknown) => unknown;

function getter(source: string): Getter {
  switch (source) {
    case '$record.id':
      return (r) => r.id;
    case '$record.topic':
      return (r) => r.logicalTopic;
    // Offsets are uint64: a number could lose digits, so it is written as a string.
    case '$record.offset':
      return (r) => r.offset.toString();
    case '$record.publishTime':
      return (r) => r.publishTime;
    case '$record.key':
      return (r) => r.routingKey;
    case '$record.producerName':
      return (r) => r.producerName;
  }
  if (source.startsWith('$record.attributes.')) {
    const name = source.slice('$record.attributes.'.length);
    return (r) => r.attributes[name];
  }
  const path: JsonPath = parseJsonPath(source);
  return (_r, payload) => getAtPath(payload, path);
}

/**
 * Turns records into DynamoDB items by the configured attribute mapping. A record that cannot
 * become an item (payload not JSON, not an object, a key attribute missing) throws an
 * `InvalidRecordError`: only that record fails.
 *
 * @example
 * const toItem = itemMapper(config);
 * const item = toItem(record, ['pk']);
 */
export function itemMapper(config: DynamoDbSinkConfig): (record: SinkRecord, keyAttributes: readonly string[]) => Item {
  const mapping = config.attributes ? Object.entries(config.attributes).map(([name, src]) => [name, getter(src)] as const) : undefined;
  return (record, keyAttributes) => {
    const payload = record.json();
    let plain: Record<string, unknown> = {};
    if (!mapping) {
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
        throw new InvalidRecordError(`record ${record.id}: payload is not a JSON object, and no attribute mapping is configured`, { record });
      }
      plain = { ...(payload as Record<string, unknown>) };
    } else {
      for (const [name, get] of mapping) {
        const value = get(record, payload);
        if (name === '*') {
          if (value && typeof value === 'object' && !Array.isArray(value)) plain = { ...(value as Record<string, unknown>), ...plain };
          else throw new InvalidRecordError(`record ${record.id}: "*" must map to a JSON object`, { record });
        } else if (value !== undefined) plain[name] = value;
      }
    }
    if (config.recordIdAttribute) plain[config.recordIdAttribute] = record.id;
    for (const key of keyAttributes) {
      const v = plain[key];
      if (v === undefined || v === null || v === '')
        throw new InvalidRecordError(`record ${record.id}: key attribute "${key}" is missing or empty`, { record });
    }
    try {
      return marshall(plain, { removeUndefinedValues: config.removeUndefinedValues, convertEmptyValues: false });
    } catch (err) {
      throw new InvalidRecordError(`record ${record.id}: cannot be written as a DynamoDB item: ${(err as Error).message}`, { record, cause: err });
    }
  };
}

/** A string identity of an item's key, to find records again in UnprocessedItems. */
export function keyIdentity(item: Item, keyAttributes: readonly string[]): string {
  return JSON.stringify(keyAttributes.map((k) => item[k] ?? null));
}
