// The deploy-time provisioning step (a CloudFormation custom resource): creates every bound topic
// and relay subscription, with its settings, before the sources and the relay go live. The plugin
// deploys this file, bundled at build time, as the code of the provisioning function.
import { createLogger } from '../core/logger.js';
import type { LambdaContextLike } from '../runtime/lambda/context.js';
import { handleProvisionResource, type ProvisionResourceEvent } from './provision-resource.js';

const logger = createLogger({ name: 'danube-provision' });

export async function handler(event: ProvisionResourceEvent, context: LambdaContextLike): Promise<void> {
  await handleProvisionResource(event, {
    env: process.env,
    logger: logger.child({ requestId: context.awsRequestId }),
    remainingMs: () => context.getRemainingTimeInMillis(),
  });
}
