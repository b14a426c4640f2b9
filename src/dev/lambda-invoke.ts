import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { InvokeError } from '../relay/errors.js';
import { readAnswer } from '../relay/invokers/answer.js';
import type { InvokeBatch, InvokeResult, Invoker } from '../relay/invokers/types.js';
import { encodeSinkBatch } from '../sink/event.js';

/** A Lambda handler as `functions/*.ts` export it. */
export type LambdaHandler = (event: unknown, context: Context) => unknown;

export interface LocalLambda {
  /** The deployed name it stands for, e.g. `danube-connect-dev-exampleSink`. */
  functionName: string;
  handler: LambdaHandler;
  timeoutMs: number;
  memorySize?: number;
}

/**
 * A Lambda-like context: remaining time counts down to the timeout, ids are fresh per call.
 *
 * @example
 * const context = lambdaContext('svc-dev-orders', 30_000);
 * context.getRemainingTimeInMillis(); // ≈ 30000
 */
export function lambdaContext(functionName: string, timeoutMs: number, memorySize = 1024): Context {
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Runs a handler in this process the way Lambda would: JSON in (a copy, so the handler sees what
 * crossed the wire), JSON out, a timeout that fails the invocation.
 *
 * @example
 * const answer = await invokeLocalLambda(fn, { 'detail-type': 'Scheduled Event' });
 */
export async function invokeLocalLambda(fn: LocalLambda, event: unknown, timeoutMs = fn.timeoutMs): Promise<unknown> {
  const context = lambdaContext(fn.functionName, timeoutMs, fn.memorySize);
  const payload = JSON.parse(JSON.stringify(event)) as unknown;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InvokeError(`${fn.functionName} timed out after ${timeoutMs} ms`, 'timeout', 'retryable')), timeoutMs);
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve().then(() => fn.handler(payload, context)), timeout]);
    return result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as unknown);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A relay invoker that calls a sink's Lambda handler in this process with the real
 * `danube.sink.batch.v1` event and a Lambda-like context, and reads its answer exactly as the
 * Lambda invoker reads a deployed function's: so `npm start` runs the code that is deployed.
 *
 * @example
 * startRelay(config, { invokers: { 'orders-sink': lambdaHandlerInvoker(fn) } });
 */
export function lambdaHandlerInvoker(fn: LocalLambda): Invoker {
  return {
    kind: 'local',
    remote: true,
    async invoke(batch: InvokeBatch): Promise<InvokeResult> {
      const event = encodeSinkBatch(
        batch.records.map((r) => r.toInit()),
        batch.meta,
      );
      const timeoutMs = Math.max(1, Math.min(fn.timeoutMs, batch.deadline - Date.now()));
      let answer: unknown;
      try {
        answer = await invokeLocalLambda(fn, event, timeoutMs);
      } catch (err) {
        if (err instanceof InvokeError) throw err;
        throw new InvokeError(`function ${fn.functionName} failed: ${(err as Error)?.message ?? String(err)}`, 'function-error', 'retryable', { cause: err });
      }
      return readAnswer(
        answer === undefined ? '' : JSON.stringify(answer),
        event.records.map((r) => r.id),
      );
    },
    async close() {},
  };
}
