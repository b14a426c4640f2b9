import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from './bundle-worker.js';

// queueSink as a real Cloudflare Queues consumer inside workerd (miniflare): messages are acked,
// retried with the queue's retry count, and invalid ones end in the queue's dead-letter queue.
let mf: Miniflare;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: await bundleWorker('queue-worker.ts'),
    compatibilityDate: '2025-09-01',
    host: '127.0.0.1',
    port: 0,
    kvNamespaces: ['RESULTS'],
    queueProducers: { ORDERS: { queueName: 'orders' } },
    queueConsumers: {
      orders: { maxBatchSize: 10, maxBatchTimeout: 0.2, maxRetries: 1, deadLetterQueue: 'orders-dlq' },
      'orders-dlq': { maxBatchSize: 10, maxBatchTimeout: 0.2 },
    },
  });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

describe('queueSink inside workerd', () => {
  it('acks good records, retries flaky ones, and dead-letters invalid ones after max_retries', async () => {
    const bodies = [{ n: 1 }, { n: 2, flaky: true }, { n: 3, bad: true }, { n: 4 }];
    expect((await mf.dispatchFetch('http://queue.local/', { method: 'POST', body: JSON.stringify(bodies) })).status).toBe(200);
    const want = ['dlq:3', 'ok:1', 'ok:2', 'ok:4'];
    let seen: string[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      seen = (await (await mf.dispatchFetch('http://queue.local/')).json()) as string[];
      if (seen.length >= want.length) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toEqual(want);
    const kv = (await mf.getKVNamespace('RESULTS')) as unknown as { get(key: string): Promise<string | null> };
    expect(await kv.get('ok:2')).toBe('2'); // handled on its second delivery
    expect(await kv.get('ok:1')).toBe('1');
  }, 30_000);
});
