import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { InvalidRecordError, silentLogger } from '../../../src/core/index.js';
import { lambdaSink } from '../../../src/runtime/lambda/index.js';
import { defineSink, forEachRecord } from '../../../src/sink/index.js';

// A batch exactly as the relay sends it (design §4), written out as JSON text.
const EVENT = `{
  "type": "danube.sink.batch.v1", "binding": "orders-to-pg", "topic": "/default/orders", "subscription": "orders-pg",
  "records": [
    { "id": "/default/orders-part-0@42", "topic": "/default/orders-part-0", "offset": "42", "publishTime": 1763800000000,
      "producerName": "orders-src", "attributes": {"content-type": "application/json"}, "routingKey": "cust-7",
      "schemaId": "3", "schemaVersion": 1, "attempt": 1, "payload": "eyJza3UiOiJBMSIsInF0eSI6Mn0=" },
    { "id": "/default/orders-part-0@43", "topic": "/default/orders-part-0", "offset": "43", "publishTime": 1763800000001,
      "producerName": "orders-src", "attributes": {"content-type": "application/json"}, "routingKey": "cust-8",
      "attempt": 3, "payload": "eyJza3UiOiJCMiIsInF0eSI6MH0=" }
  ] }`;

function lambdaContext(remainingMs = 3_000): Context {
  const end = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'orders-sink',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-sink',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/orders-sink',
    logStreamName: '2026/11/22/[$LATEST]abc',
    getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

type Order = { sku: string; qty: number };

describe('lambdaSink', () => {
  it('runs the sink on a real event and returns the AWS partial-batch response', async () => {
    const handler = lambdaSink(
      defineSink(
        forEachRecord(async (record, ctx) => {
          expect(ctx.deadline).toBeGreaterThan(Date.now() + 1_000);
          const order = record.json<Order>();
          if (order.qty < 1) throw new InvalidRecordError(`qty must be positive`, { record });
        }),
      ),
      { logger: silentLogger },
    );
    const response = await handler(JSON.parse(EVENT), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '/default/orders-part-0@43', reason: 'invalid', message: 'qty must be positive' }] });
  });

  it('returns an empty list when all succeed, and hands the deadline and attempt on', async () => {
    let seen: { deadline: number; attempt: number } | undefined;
    const handler = lambdaSink(
      defineSink((_records, ctx) => {
        seen = ctx;
      }),
      { logger: silentLogger },
    );
    const before = Date.now();
    expect(await handler(JSON.parse(EVENT), lambdaContext(10_000))).toEqual({ batchItemFailures: [] });
    expect(seen!.attempt).toBe(3);
    expect(seen!.deadline - before).toBeGreaterThan(9_000);
    expect(seen!.deadline - before).toBeLessThanOrEqual(10_050);
  });

  it('an identifier that is not in the batch fails the invocation', async () => {
    const handler = lambdaSink(
      defineSink(() => ({ batchItemFailures: [{ itemIdentifier: '/default/orders-part-0@44' }] })),
      { logger: silentLogger },
    );
    await expect(handler(JSON.parse(EVENT), lambdaContext())).rejects.toThrow(/"\/default\/orders-part-0@44" is not a record of this batch/);
  });

  it('a handler error fails the invocation so the relay retries the batch', async () => {
    const handler = lambdaSink(
      defineSink(async () => {
        throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
      }),
      { logger: silentLogger },
    );
    await expect(handler(JSON.parse(EVENT), lambdaContext())).rejects.toMatchObject({ name: 'RetryableError', kind: 'retryable' });
  });

  it.each([
    ['an SQS event', { Records: [{ messageId: '1', body: 'x', eventSource: 'aws:sqs' }] }, /type must be "danube.sink.batch.v1".*AWS event source event/],
    ['an EventBridge schedule', { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, /EventBridge event/],
    ['a number offset', JSON.parse(EVENT.replace('"offset": "42"', '"offset": 42')), /records\[0\]\.offset must be a uint64/],
    ['a bad payload', JSON.parse(EVENT.replace('"eyJza3UiOiJBMSIsInF0eSI6Mn0="', '"not base64!"')), /records\[0\]\.payload must be a base64 string/],
    ['no records', { ...JSON.parse(EVENT), records: undefined }, /records must be an array/],
    ['an empty event', {}, /type must be "danube.sink.batch.v1" \(missing\)/],
  ])('refuses %s with an error naming what is wrong', async (_name, event, message) => {
    const handler = lambdaSink(
      defineSink(() => {}),
      { logger: silentLogger },
    );
    await expect(handler(event, lambdaContext())).rejects.toThrow(message);
  });

  it('aborts the handler signal before the Lambda timeout', async () => {
    const handler = lambdaSink(
      defineSink(
        async (_r, ctx) => {
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
          return { batchItemFailures: [{ itemIdentifier: '/default/orders-part-0@43', message: 'stopped at the deadline' }] };
        },
        { deadlineMarginMs: 200 },
      ),
      { logger: silentLogger },
    );
    const started = Date.now();
    const response = await handler(JSON.parse(EVENT), lambdaContext(500));
    expect(Date.now() - started).toBeLessThan(500);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['/default/orders-part-0@43']);
  });
});
