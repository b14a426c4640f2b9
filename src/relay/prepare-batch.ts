import { classifyError } from '../core/classify.js';
import { createSinkRecord, SinkRecord, COMPRESSION_ATTRIBUTE, type SinkRecordInit } from '../core/records.js';
import { applyTransforms, type Transform } from '../core/transforms.js';
import type { InvokeResult } from './invokers/types.js';
import type { BatchOutcome } from './settle-batch.js';
import type { RelayDelivery } from './ports.js';
import type { TrackedRecord } from './tracked-record.js';

export interface PreparedBatch {
  records: SinkRecord[];
  /** Records a transform refused as invalid (dead-lettered without invocation), with the reason. */
  invalid: Map<string, string>;
  /** A transform failed fatally: the whole batch fails with this message. */
  fatal?: string;
}

/**
 * Turns tracked messages into the records a function receives: the delivery attempt is set, and
 * the binding's transforms are applied (gzip payloads are decompressed first, then handed on
 * uncompressed). Remote functions without transforms get payloads exactly as published.
 */
export async function prepareBatch(
  tracked: TrackedRecord<RelayDelivery & { offset: bigint }>[],
  transforms: readonly Transform[],
  decode: boolean,
): Promise<PreparedBatch> {
  const out: PreparedBatch = { records: [], invalid: new Map() };
  for (const t of tracked) {
    const m = t.msg;
    const init: SinkRecordInit = {
      id: t.id,
      topic: m.topic,
      offset: m.offset,
      publishTime: m.publishTime,
      producerName: m.producerName,
      attributes: m.attributes,
      attempt: t.attempts,
      payload: m.payload,
    };
    if (m.logicalTopic !== undefined) init.logicalTopic = m.logicalTopic;
    if (m.routingKey !== undefined) init.routingKey = m.routingKey;
    if (m.schemaId !== undefined) init.schemaId = m.schemaId;
    if (m.schemaVersion !== undefined) init.schemaVersion = m.schemaVersion;
    if (!decode && transforms.length === 0) {
      out.records.push(new SinkRecord(init));
      continue;
    }
    try {
      let record = await createSinkRecord(init);
      if (transforms.length) {
        record = await applyTransforms(record, transforms);
        if (record.payload !== m.payload && record.attributes[COMPRESSION_ATTRIBUTE] !== undefined) {
          const { [COMPRESSION_ATTRIBUTE]: _dropped, ...attributes } = record.attributes;
          record = record.with({ attributes });
        }
      }
      out.records.push(record);
    } catch (err) {
      const error = classifyError(err);
      if (error.kind === 'fatal') {
        out.fatal = `transform failed: ${error.message}`;
        return out;
      }
      // A transform that throws anything but fatal judged this record alone.
      out.invalid.set(t.id, error.message);
    }
  }
  return out;
}

/** Combines the function's answer with records refused before invocation into one outcome. */
export function outcomeOf(result: InvokeResult, invalidBefore: Map<string, string>): BatchOutcome {
  const failedIds: string[] = [];
  const invalidIds: string[] = [...invalidBefore.keys()];
  const errors = new Map(invalidBefore);
  for (const f of result.failures) {
    if (f.reason === 'invalid') invalidIds.push(f.itemIdentifier);
    else failedIds.push(f.itemIdentifier);
    if (f.message) errors.set(f.itemIdentifier, f.message);
  }
  if (failedIds.length === 0 && invalidIds.length === 0) return { type: 'success' };
  return { type: 'partial', failedIds, invalidIds, errors };
}
