// The deploy-time provisioning step (a CloudFormation custom resource): creates every bound topic
// and relay subscription, with its settings, before the sources and the relay go live.
import type { Context } from 'aws-lambda';
import { createLogger } from '../src/core/logger.js';
import { handleProvisionResource, type ProvisionResourceEvent } from '../src/serverless/provision-resource.js';

const logger = createLogger({ name: 'danube-provision' });

export async function handler(event: ProvisionResourceEvent, context: Context): Promise<void> {
  await handleProvisionResource(event, { env: process.env, logger: logger.child({ requestId: context.awsRequestId }), remainingMs: () => context.getRemainingTimeInMillis() });
}
