import { describe, expect, it } from 'vitest';
import { FatalError, InvalidRecordError, RetryableError, utf8 } from '../../../src/core/index.js';
import { queueSink, type MessageBatchLike, type QueueMessageLike } from '../../../src/runtime/cloudflare/index.js';
import { defineSink, encodeSinkBatch, forEachRecord } from '../../../src/sink/index.js';

// A Cloudflare Queues batch with the runtime's methods, recording what the handler decided.
function queueBatch(bodies: unknown[]) {
  const log: string[] = [];
  const messages: QueueMessageLike[] = bodies.map((body, i) => ({
    id: `msg-${i}`,
    timestamp: new Date(1763800000000 + i),
    body,
    attempts: 1,
    ack: () => log.push(`ack ${i}`),
    retry: (o) => log.push(`retry ${i}${o?.delaySeconds !== undefined ? ` +${o.delaySeconds}s` : ''}`),
  }));
  const batch: MessageBatchLike = {
    queue: 'orders',
    messages,
    ackAll: () => log.push('ackAll'),
    retryAll: (o) => log.push(`retryAll${o?.delaySeconds !== undefined ? ` +${o.delaySeconds}s` : ''}`),
  };
  return { batch, log };
}

describe('queueSink', () => {
  it('acks what succeeded and retries what failed (invalid ones too, for the queue DLQ)', async () => {
    const handler = queueSink(
      defineSink(
        forEachRecord(
          async (r) => {
            const o = r.json<{ n: number }>();
            if (o.n === 1) throw new InvalidRecordError('bad', { record: r });
            if (o.n === 2) throw new RetryableError('busy');
          },
          { ordered: false },
        ),
      ),
      { retryDelaySeconds: 30 },
    );
    const { batch, log } = queueBatch([{ n: 0 }, { n: 1 }, { n: 2 }, '{"n":3}']);
    await handler(batch, {}, {});
    expect(log).toEqual(['ack 0', 'retry 1 +30s', 'retry 2 +30s', 'ack 3']);
  });

  it('retries the whole batch when the sink fails it, honouring retryAfterMs', async () => {
    const handler = queueSink(
      defineSink(() => {
        throw new RetryableError('throttled', { retryAfterMs: 4_500 });
      }),
    );
    const { batch, log } = queueBatch([{ n: 0 }, { n: 1 }]);
    await handler(batch);
    expect(log).toEqual(['retryAll +5s']);
  });

  it('a fatal failure retries every message and is rethrown so the Worker logs it', async () => {
    const handler = queueSink(
      defineSink(() => {
        throw new FatalError('API key revoked');
      }),
    );
    const { batch, log } = queueBatch([{ n: 0 }]);
    await expect(handler(batch)).rejects.toThrow('API key revoked');
    expect(log).toEqual(['retryAll']);
  });

  it('keeps the Danube id, offset and key of relay-encoded records', async () => {
    const seen: string[] = [];
    const handler = queueSink(
      defineSink((records) => {
        seen.push(...records.map((r) => `${r.id} ${r.routingKey} ${r.text()}`));
      }),
    );
    const event = encodeSinkBatch(
      [{ topic: '/default/t-part-1', offset: 77n, publishTime: 1, producerName: 'p', attributes: {}, routingKey: 'k', payload: utf8('hi') }],
      { binding: 'b', topic: '/default/t', subscription: 's' },
    );
    const { batch, log } = queueBatch([JSON.parse(JSON.stringify(event.records[0])), new TextEncoder().encode('raw').buffer]);
    await handler(batch);
    expect(seen).toEqual(['/default/t-part-1@77 k hi', 'msg-1 undefined raw']);
    expect(log).toEqual(['ack 0', 'ack 1']);
  });
});
