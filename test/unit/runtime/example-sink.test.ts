import type { Context } from 'aws-lambda';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../sink/make-event.js';

describe('functions/example-sink', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes good orders as JSON lines and reports the broken one as invalid', async () => {
    dir = await mkdtemp(join(tmpdir(), 'example-sink-'));
    process.env.EXAMPLE_SINK_FILE = join(dir, 'out', 'orders.jsonl');
    process.env.LOG_LEVEL = 'silent';
    const { handler } = await import('../../../functions/example-sink.js');
    const event = makeEvent(3, { keys: 2, payloads: ['{"orderId":"order-1"}', '{"orderId":"ord', '{"orderId":"order-3"}'] });
    const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 5_000 } as unknown as Context;
    const response = await handler(event, context);
    expect(response.batchItemFailures).toEqual([expect.objectContaining({ itemIdentifier: '/default/orders-part-0@101', reason: 'invalid' })]);
    const lines = (await readFile(process.env.EXAMPLE_SINK_FILE, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.customer, l.order.orderId])).toEqual([
      ['k0', 'order-1'],
      ['k0', 'order-3'],
    ]);
  });
});
