import { utf8 } from '../../../src/core/index.js';
import { encodeSinkBatch, type SinkBatchEventV1 } from '../../../src/sink/index.js';

/** A real v1 event of `n` JSON records `{ n: i }` on one partition, keys k0..k(keys-1). */
export function makeEvent(n: number, options: { keys?: number; payloads?: string[] } = {}): SinkBatchEventV1 {
  const records = Array.from({ length: n }, (_, i) => ({
    topic: '/default/orders-part-0',
    offset: BigInt(100 + i),
    publishTime: 1763800000000 + i,
    producerName: 'orders-src',
    attributes: { 'content-type': 'application/json' },
    attempt: 1,
    ...(options.keys ? { routingKey: `k${i % options.keys}` } : {}),
    payload: utf8(options.payloads?.[i] ?? JSON.stringify({ n: i })),
  }));
  return JSON.parse(JSON.stringify(encodeSinkBatch(records, { binding: 'orders-to-pg', topic: '/default/orders', subscription: 'orders-pg' })));
}
