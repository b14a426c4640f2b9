// The source adapters fed what their platforms really pass: the EventBridge scheduled event and a
// Lambda context (AWS), a cron controller and execution context (Cloudflare-style), and the local
// runner of `npm start`. Embedded broker + dynalite; settings come from environment variables.
import type { Context, ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FatalError, silentLogger, SourceRecord } from '../../../src/core/index.js';
import { scheduledSource } from '../../../src/runtime/scheduled/index.js';
import { lambdaSource } from '../../../src/runtime/lambda/index.js';
import { defineSource, LocalSourceRunner, SourceRunError } from '../../../src/source/index.js';
import { startDynalite } from '../../support/dynamo.js';
import { drain, itemOf, listSource, setup, TABLE, watch, type Env } from './helpers.js';

// As delivered by an EventBridge rule with `rate(5 minutes)` (AWS Lambda developer guide).
const SCHEDULED_EVENT: ScheduledEvent = JSON.parse(`{
  "version": "0",
  "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  "source": "aws.events",
  "account": "123456789012",
  "time": "2026-11-22T07:50:00Z",
  "region": "us-east-1",
  "resources": ["arn:aws:events:us-east-1:123456789012:rule/shop-dev-OrdersEventsRuleSchedule1-1A2B3C"],
  "detail": {}
}`);

function lambdaContext(requestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'shop-dev-orders',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:shop-dev-orders',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/shop-dev-orders',
    logStreamName: '2026/11/22/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

let env: Env;
let vars: Record<string, string>;
beforeAll(async () => {
  env = await setup(startDynalite);
  vars = {
    DANUBE_SERVICE_URL: env.broker.url,
    DANUBE_CHECKPOINT_TABLE: TABLE,
    DANUBE_SERVICE: 'shop',
    AWS_ENDPOINT_URL_DYNAMODB: env.dynamo.endpoint,
  };
});
afterAll(async () => env?.close());

describe('lambdaSource', () => {
  it('runs the source for a scheduled event, with settings from the environment, and returns the summary', async () => {
    const consumer = await watch(env.client, '/default/lambda-orders');
    const handler = lambdaSource(listSource('lambda-orders', '/default/lambda-orders', 7, 3), { env: vars, logger: silentLogger });
    try {
      const summary = await handler(SCHEDULED_EVENT, lambdaContext('req-1', 10_000));
      expect(summary).toMatchObject({ key: 'shop/lambda-orders', owner: 'lambda:shop-dev-orders:req-1', stopReason: 'done', recordsPublished: 7, batches: 3 });
      expect((await drain(consumer, 7)).map(itemOf)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(await env.store.get('shop/lambda-orders')).toMatchObject({ checkpoint: 7 });
      // A manual invoke (`{}`) runs it too; nothing new, so it ends at once.
      expect(await handler({}, lambdaContext('req-2', 10_000))).toMatchObject({ stopReason: 'done', batches: 0, checkpointBefore: 7 });
    } finally {
      await handler.dispose();
    }
  });

  it('stops before the Lambda timeout, keeping what it committed', async () => {
    const endless = defineSource<number>({
      name: 'lambda-endless',
      topic: '/default/lambda-endless',
      async poll({ checkpoint }) {
        await new Promise((r) => setTimeout(r, 50));
        const n = (checkpoint ?? 0) + 1;
        return { records: [SourceRecord.fromJson({ item: n })], checkpoint: n };
      },
    });
    const handler = lambdaSource(endless, { client: env.client, store: env.store, service: 'shop', safetyMarginMs: 300, logger: silentLogger });
    const started = Date.now();
    const summary = await handler(SCHEDULED_EVENT, lambdaContext('req-3', 1_200));
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(summary.stopReason).toBe('budget');
    expect(summary.batches).toBeGreaterThan(3);
    expect((await env.store.get('shop/lambda-endless'))?.checkpoint).toBe(summary.batches);
  });

  it('fails the invocation with a clear message on a fatal error, so Lambda retries it', async () => {
    const broken = defineSource({
      name: 'lambda-broken',
      topic: '/default/t',
      poll: async () => {
        throw new FatalError('the API key was revoked');
      },
    });
    const handler = lambdaSource(broken, { client: env.client, store: env.store, service: 'shop', logger: silentLogger });
    const err = await handler(SCHEDULED_EVENT, lambdaContext('req-4', 5_000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceRunError);
    expect((err as Error).message).toBe('source lambda-broken: run failed; checkpoint left where it was: the API key was revoked');
  });

  it('lets a retried invocation (same request id) take back the lease its crashed attempt left', async () => {
    await env.store.acquireLease('shop/lambda-retry', { owner: 'lambda:shop-dev-orders:req-5', ttlMs: 60_000 });
    const handler = lambdaSource(listSource('lambda-retry', '/default/lambda-retry', 2, 2), {
      client: env.client,
      store: env.store,
      service: 'shop',
      logger: silentLogger,
    });
    expect(await handler(SCHEDULED_EVENT, lambdaContext('req-5', 5_000))).toMatchObject({ stopReason: 'done', recordsPublished: 2 });
    // Another invocation would have been turned away while that lease was live.
    await env.store.acquireLease('shop/lambda-retry', { owner: 'lambda:shop-dev-orders:req-6', ttlMs: 60_000 });
    expect(await handler(SCHEDULED_EVENT, lambdaContext('req-7', 5_000))).toMatchObject({
      stopReason: 'lease-held',
      leaseHeldBy: 'lambda:shop-dev-orders:req-6',
    });
  });
});

describe('lambdaSource per input partition', () => {
  it('keeps one checkpoint per partition', async () => {
    const make = (partition: number) =>
      lambdaSource(listSource('lambda-part', '/default/lambda-part', 2, 2), {
        client: env.client,
        store: env.store,
        service: 'shop',
        partition,
        logger: silentLogger,
      });
    expect(await make(0)(SCHEDULED_EVENT, lambdaContext('req-p0', 5_000))).toMatchObject({ key: 'shop/lambda-part#0', recordsPublished: 2 });
    expect(await make(1)(SCHEDULED_EVENT, lambdaContext('req-p1', 5_000))).toMatchObject({ key: 'shop/lambda-part#1', recordsPublished: 2 });
    expect(await env.store.get('shop/lambda-part#1')).toMatchObject({ checkpoint: 2 });
  });
});

describe('scheduledSource (Cloudflare-style)', () => {
  it('runs on a cron trigger with settings from the env bindings and hands the run to waitUntil', async () => {
    const consumer = await watch(env.client, '/default/cron-orders');
    const waited: Promise<unknown>[] = [];
    const summaries: unknown[] = [];
    const worker = scheduledSource(listSource('cron-orders', '/default/cron-orders', 4, 4), {
      budgetMs: 5_000,
      logger: silentLogger,
      onSummary: (s) => summaries.push(s),
    });
    try {
      await worker.scheduled({ scheduledTime: Date.parse('2026-11-22T07:55:00Z'), cron: '*/5 * * * *', noRetry: () => {} }, vars, {
        waitUntil: (p) => void waited.push(p),
        passThroughOnException: () => {},
      });
      expect(waited).toHaveLength(1);
      expect(summaries[0]).toMatchObject({ key: 'shop/cron-orders', stopReason: 'done', recordsPublished: 4 });
      expect((await drain(consumer, 4)).map(itemOf)).toEqual([0, 1, 2, 3]);
    } finally {
      await worker.dispose();
    }
  });
});

describe('LocalSourceRunner', () => {
  it('runs on demand, never throws, and remembers the last outcome', async () => {
    let fail = true;
    const source = listSource('local-orders', '/default/local-orders', 3, 3, {
      beforePoll: () => {
        if (fail) throw new FatalError('upstream down');
      },
    });
    const runner = new LocalSourceRunner(source, { client: env.client, store: env.store, service: 'dev', timeoutMs: 5_000 });
    const first = await runner.invoke('schedule');
    expect(first.error?.message).toContain('upstream down');
    expect(first.summary.stopReason).toBe('error');
    fail = false;
    const second = await runner.invoke('manual');
    expect(second).toMatchObject({ trigger: 'manual', summary: { stopReason: 'done', recordsPublished: 3, key: 'dev/local-orders' } });
    expect(runner.last).toBe(second);
    expect(runner.runs).toBe(2);
    await runner.stop();
  });
});
