// `dlq redrive --function NAME` (a serverless.yml function run in this process, as `npm start`
// runs it) and `--lambda NAME` (a deployed function): the records go to the function directly,
// as a sink batch event, instead of back to a topic.
import { join, resolve } from 'node:path';
import { createSinkRecord } from '../../core/records.js';
import type { Logger } from '../../core/logger.js';
import { lambdaHandlerInvoker } from '../../dev/lambda-invoke.js';
import { loadFunction } from '../../dev/function-loader.js';
import { INSPECTION_SUBSCRIPTION, PartialRedriveFailure, redriveMessage, type DeadLetterRecord, type RedriveOptions } from '../../dlq/index.js';
import { createLambdaInvoker } from '../../relay/invokers/lambda.js';
import type { Invoker } from '../../relay/invokers/types.js';
import { loadServiceFile } from '../../serverless/service-file.js';

export interface InvokeTarget {
  invoke: NonNullable<RedriveOptions['invoke']>;
  close(): Promise<void>;
}

/** A function of serverless.yml, loaded here with the environment `npm start` would give it. */
export async function localFunctionTarget(
  name: string,
  options: { config: string; dataDir: string; timeoutMs: number; logger: Logger },
): Promise<InvokeTarget> {
  const cwd = process.cwd();
  const dataDir = resolve(options.dataDir);
  const service = loadServiceFile(resolve(cwd, options.config), { env: { ...process.env, DANUBE_DATA_DIR: dataDir } });
  const fn = service.functions[name];
  if (!fn) throw new Error(`${options.config} has no function "${name}" (functions: ${Object.keys(service.functions).join(', ')})`);
  for (const env of [service.provider.environment, fn.environment as Record<string, unknown> | undefined]) {
    for (const [k, v] of Object.entries(env ?? {})) if (typeof v === 'string' && k !== 'NODE_OPTIONS') process.env[k] = v;
  }
  process.env.DANUBE_DATA_DIR ??= dataDir;
  const loaded = await loadFunction(cwd, String(fn.handler));
  if (!loaded.handler) throw new Error(`${join(cwd, String(fn.handler))} exports no handler to invoke`);
  const invoker = lambdaHandlerInvoker({ functionName: fn.name ?? name, handler: loaded.handler, timeoutMs: options.timeoutMs });
  return target(name, invoker, options);
}

/** A deployed Lambda function (or serverless-offline's, with `endpoint`). */
export function lambdaTarget(name: string, options: { region?: string; endpoint?: string; timeoutMs: number; logger: Logger }): InvokeTarget {
  const invoker = createLambdaInvoker({
    name,
    timeoutMs: options.timeoutMs,
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  return target(name, invoker, options);
}

function target(name: string, invoker: Invoker, options: { timeoutMs: number; logger: Logger }): InvokeTarget {
  const invoke = async (records: readonly DeadLetterRecord[], signal: AbortSignal): Promise<void> => {
    const sinkRecords = await Promise.all(
      records.map((r) => {
        const m = redriveMessage(r);
        return createSinkRecord({
          // The dead-letter id: a partial answer names the records by it.
          id: r.id,
          topic: r.envelope.originalTopic || r.topic,
          offset: r.envelope.originalOffset ?? r.offset,
          publishTime: r.envelope.originalPublishTime ?? r.publishTime,
          producerName: 'danube-dlq-redrive',
          attributes: m.attributes,
          ...(m.key ? { routingKey: m.key } : {}),
          attempt: 1,
          payload: m.payload,
        });
      }),
    );
    const { failures } = await invoker.invoke({
      meta: { binding: `redrive-${name}`, topic: records[0]?.envelope.originalTopic || records[0]?.topic || '', subscription: INSPECTION_SUBSCRIPTION },
      records: sinkRecords,
      signal,
      deadline: Date.now() + options.timeoutMs,
      logger: options.logger,
    });
    if (failures.length) {
      throw new PartialRedriveFailure(
        `${name} reported ${failures.length} record(s) failed: ${failures.map((f) => f.message ?? f.itemIdentifier).join('; ')}`,
        failures.map((f) => f.itemIdentifier),
      );
    }
  };
  // The name shows in the redrive's destinations (`invoke:<name>`).
  Object.defineProperty(invoke, 'name', { value: name });
  return { invoke, close: () => invoker.close() };
}
