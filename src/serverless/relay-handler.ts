// The relay as a scheduled Lambda (custom.danube.relay.mode: lambda): each run serves one binding
// until shortly before its timeout, then hands over to the next run by consumer takeover. The
// plugin deploys this file, bundled at build time, as the code of every relay function.
import { createLogger } from '../core/logger.js';
import { danubeClientFromEnv } from '../runtime/client-from-env.js';
import type { LambdaContextLike } from '../runtime/lambda/context.js';
import { ENV } from './environment.js';
import { runRelayForBudget } from './relay-run.js';

const logger = createLogger({ name: 'relay' });
const binding = JSON.parse(process.env[ENV.relayBinding] ?? 'null');
const stopMarginMs = Number(process.env[ENV.relayStopMarginMs] ?? 15_000);
// Kept across warm runs: the channel to Danube and the cached token.
const client = danubeClientFromEnv(process.env, logger);

export async function handler(_event: unknown, context: LambdaContextLike) {
  if (!binding) throw new Error(`${ENV.relayBinding} is not set: deploy the relay through the Danube Serverless plugin`);
  const { status, consumedMs } = await runRelayForBudget({
    bindings: [binding],
    client,
    budgetMs: context.getRemainingTimeInMillis(),
    stopMarginMs,
    logger: logger.child({ requestId: context.awsRequestId, binding: binding.name }),
  });
  return { consumedMs, bindings: status.bindings.map(({ name, counts, stuck }) => ({ name, counts, stuck })) };
}
