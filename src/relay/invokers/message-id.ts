import { toHex, utf8 } from '../../core/bytes.js';
import type { InvokeBatch } from './types.js';

/**
 * The Standard Webhooks `webhook-id` of a batch: `msg_` and 32 hex digits of a SHA-256 over the
 * binding, the subscription and each record's id, publish time and producer.
 *
 * Receivers use the id as an idempotency key, and the convention wants it unchanged when the
 * same message is sent again: a batch retried after a timeout or a whole failure carries the
 * same records and so the same id. A retry of only some of them (after a partial answer) is a
 * different message and gets a different id. Record ids alone are not enough: on a non-reliable
 * topic every message has offset 0 (ids repeat after a relay restart), and a topic deleted and
 * created again starts its offsets over; the publish time and producer tell those apart.
 *
 * @example
 * headers['webhook-id'] = await batchMessageId(batch); // 'msg_3f1c…'
 */
export async function batchMessageId(batch: InvokeBatch): Promise<string> {
  let text = `${batch.meta.binding}\n${batch.meta.subscription}\n`;
  for (const r of batch.records) text += `${r.id}\t${r.publishTime}\t${r.producerName}\n`;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(text) as Uint8Array<ArrayBuffer>));
  return `msg_${toHex(digest.subarray(0, 16))}`;
}
