import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { checkOptions, loggerRule } from '../../core/check-options.js';
import type { Logger, LoggerOptions } from '../../core/logger.js';
import type { Sink } from '../../sink/define.js';
import { SinkEventError, type SinkBatchResponse } from '../../sink/event.js';
import { runSink, toSinkBatchResponse } from '../../sink/run.js';
import { defaultLogger } from '../default-logger.js';
import type { LambdaHandler } from './context.js';

export interface LambdaSinkOptions {
  /** Defaults to a JSON logger on stdout (CloudWatch) named after the sink, at `LOG_LEVEL`. */
  logger?: Logger;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

function levelFromEnv(): LoggerOptions['level'] {
  const wanted = (process.env.LOG_LEVEL ?? process.env.AWS_LAMBDA_LOG_LEVEL ?? 'info').toLowerCase();
  return (LEVELS as readonly string[]).includes(wanted) ? (wanted as LoggerOptions['level']) : 'info';
}

/**
 * A Lambda handler (middy) for a sink: takes the relay's `danube.sink.batch.v1` event, runs the
 * sink with the invocation's remaining time as deadline, and returns the AWS partial-batch
 * response. A whole-batch failure, or an event that is not v1 (the error names the field), is a
 * function error, so the relay retries the batch.
 *
 * @example
 * export const handler = lambdaSink(defineSink(async (records) => { ... }));
 */
export function lambdaSink(sink: Sink, options: LambdaSinkOptions = {}): LambdaHandler<unknown, SinkBatchResponse> {
  checkOptions(options, { logger: loggerRule() }, 'lambdaSink options');
  let logger: Logger | Promise<Logger> | undefined = options.logger;
  const handler = middy<unknown, SinkBatchResponse, Error, Context>().handler(async (event, context, { signal }) => {
    logger ??= defaultLogger({ name: `sink:${sink.options.name}`, level: levelFromEnv() });
    const log = (await logger).child({ requestId: context.awsRequestId });
    // Some emulators pass a context without the timer; the sink's default timeout applies then.
    const remaining = typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
    let outcome;
    try {
      outcome = await runSink(sink, event, { logger: log, signal, ...(remaining !== undefined ? { deadline: Date.now() + remaining } : {}) });
    } catch (err) {
      if (err instanceof SinkEventError) log.error({ field: err.field }, err.message);
      throw err;
    }
    const summary = { records: outcome.records, failed: outcome.failures.length, durationMs: outcome.durationMs };
    if (outcome.status === 'failed') log.error({ ...summary, err: outcome.error?.message, kind: outcome.error?.kind }, 'batch failed');
    else log.info(summary, outcome.status === 'success' ? 'batch done' : 'batch done with failures');
    return toSinkBatchResponse(outcome);
  });
  return (event, context) => handler(event, context as Context);
}
