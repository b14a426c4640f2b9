import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { awsErrorKind } from '../../core/aws-errors.js';
import { errorKind } from '../../core/classify.js';
import { isLoopbackUrl } from '../../core/environment.js';
import { encodeSinkBatch } from '../../sink/event.js';
import { InvokeError } from '../errors.js';
import { readAnswer } from './answer.js';
import { checkLambdaTarget } from './check.js';
import type { InvokeBatch, InvokeResult, Invoker } from './types.js';

export interface LambdaInvokerOptions {
  /** Function name, name:alias or ARN. */
  name: string;
  qualifier?: string;
  region?: string;
  /** Another Lambda API endpoint, e.g. serverless-offline's `http://127.0.0.1:3002`. */
  endpoint?: string;
  timeoutMs: number;
  /** A ready client (tests, custom credentials); built from region/endpoint otherwise. */
  client?: LambdaClient;
}

/**
 * Invokes an AWS Lambda function synchronously (RequestResponse) with the batch event. A
 * function error (`X-Amz-Function-Error`) or a crash fails the batch; throttling is retried
 * without using up the retry budget; an answer later than `timeoutMs` is a timeout. The SDK's own
 * retries are off: the relay's retry policy is the only one.
 *
 * @example
 * const invoker = createLambdaInvoker({ name: 'orders-sink', region: 'eu-west-1', timeoutMs: 60_000 });
 */
export function createLambdaInvoker(options: LambdaInvokerOptions): Invoker {
  // A loopback endpoint is a local emulator (serverless-offline): it checks neither region nor
  // signatures, and a developer machine may have no AWS credentials at all. Elsewhere the SDK's
  // own chain (AWS_REGION, profiles, instance roles) decides.
  const local = isLoopbackUrl(options.endpoint);
  const region = options.region ?? (local ? 'us-east-1' : undefined);
  const client =
    options.client ??
    new LambdaClient({
      maxAttempts: 1,
      ...(region ? { region } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
  const owned = options.client === undefined;
  const decoder = new TextDecoder();
  return {
    kind: 'lambda',
    remote: true,
    async invoke(batch: InvokeBatch): Promise<InvokeResult> {
      const event = encodeSinkBatch(
        batch.records.map((r) => r.toInit()),
        batch.meta,
      );
      const timeoutMs = Math.max(1, Math.min(options.timeoutMs, batch.deadline - Date.now()));
      const timeout = AbortSignal.timeout(timeoutMs);
      const abortSignal = AbortSignal.any([batch.signal, timeout]);
      let out;
      try {
        out = await client.send(
          new InvokeCommand({
            FunctionName: options.name,
            InvocationType: 'RequestResponse',
            Payload: new TextEncoder().encode(JSON.stringify(event)),
            ...(options.qualifier ? { Qualifier: options.qualifier } : {}),
          }),
          { abortSignal },
        );
      } catch (err) {
        throw classify(err, options.name, timeout.aborted, timeoutMs);
      }
      const text = out.Payload ? decoder.decode(out.Payload) : '';
      if (out.FunctionError) {
        throw new InvokeError(`function ${options.name} failed (${out.FunctionError}): ${describePayload(text)}`, 'function-error', 'retryable');
      }
      return readAnswer(
        text,
        event.records.map((r) => r.id),
      );
    },
    async check(signal?: AbortSignal) {
      // A local emulator may not know DryRun and run the function instead: it is left unchecked.
      if (!local) await checkLambdaTarget(client, options.name, options.qualifier, signal);
    },
    async close() {
      if (owned) client.destroy();
    },
  };
}

function classify(err: unknown, name: string, timedOut: boolean, timeoutMs: number): InvokeError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  const extra = status === undefined ? { cause: err } : { cause: err, status };
  if (timedOut) return new InvokeError(`function ${name} did not answer within ${timeoutMs} ms`, 'timeout', 'retryable', extra);
  const aws = awsErrorKind(err);
  if (aws === 'throttled') return new InvokeError(`function ${name} throttled: ${e?.message}`, 'throttled', 'retryable', extra);
  if (aws === 'fatal') return new InvokeError(`cannot invoke ${name}: ${e?.name}: ${e?.message}`, 'config', 'fatal', extra);
  if (status !== undefined && status >= 500) return new InvokeError(`Lambda ${status} invoking ${name}: ${e?.message}`, 'server-error', 'retryable', extra);
  const kind = errorKind(err);
  const reason = status !== undefined ? 'http-status' : 'network';
  return new InvokeError(`invoking ${name} failed: ${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`, reason, kind === 'invalid' ? 'fatal' : kind, extra);
}

function describePayload(text: string): string {
  try {
    const p = JSON.parse(text) as { errorType?: string; errorMessage?: string };
    if (p && (p.errorMessage || p.errorType)) return `${p.errorType ?? 'Error'}: ${p.errorMessage ?? ''}`;
  } catch {
    /* not JSON: show the text */
  }
  return text.slice(0, 300);
}
