import { createHash } from 'node:crypto';
import { ENV, connectionEnvironment } from './environment.js';
import { logStatement, role, tokenStatements, VPC_ACCESS_POLICY } from './iam.js';
import type { DanubeServiceOptions } from './options.js';
import { adminUrlFor } from './provision.js';

/** serverless.yml key of the provisioning function. */
export const PROVISION_FUNCTION_KEY = 'danube-provision';
/** Logical id of the custom resource that runs it. */
export const PROVISION_RESOURCE_ID = 'DanubeProvision';
export const PROVISION_ROLE_ID = 'DanubeProvisionRole';

/**
 * What publishes or consumes once deployed: schedules (sources, relay runs), HTTP APIs (webhook
 * sources), event source mappings and the relay service. Each waits for provisioning.
 */
export const GATED_RESOURCE_TYPES: readonly string[] = [
  'AWS::Events::Rule',
  'AWS::Scheduler::Schedule',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGatewayV2::Stage',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::Url',
  'AWS::ECS::Service',
];

function provisionFunctionName(stackPrefix: string): string {
  const name = `${stackPrefix}-danube-provision`.replace(/[^A-Za-z0-9_-]/g, '-');
  if (name.length <= 64) return name;
  return `${name.slice(0, 55)}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/**
 * The provisioning function (serverless.yml definition): the connection variables, the admin URL,
 * no events, its own role.
 *
 * @example
 * functions[PROVISION_FUNCTION_KEY] = provisionFunction(danube, 'svc-dev', 'danube-provision.handler');
 */
export function provisionFunction(danube: DanubeServiceOptions, stackPrefix: string, handler: string): Record<string, unknown> {
  return {
    handler,
    name: provisionFunctionName(stackPrefix),
    description: 'Creates the bound Danube topics and relay subscriptions (CloudFormation custom resource)',
    timeout: danube.provision.timeout,
    memorySize: 256,
    role: PROVISION_ROLE_ID,
    danubeAccess: 'none',
    // Run by its custom resource only (osls expects the list).
    events: [],
    environment: { ...connectionEnvironment(danube), [ENV.adminUrl]: danube.provision.adminUrl ?? adminUrlFor(danube.serviceUrl) },
  };
}

/**
 * Its role (logs and the token, nothing else: the rest is the broker's RBAC) and the custom
 * resource, whose `RelayConfig` property changes, and so runs provisioning again, whenever a
 * binding does.
 */
export function provisionResources(options: {
  danube: DanubeServiceOptions;
  relayConfigJson: string;
  functionName: string;
  functionLogicalId: string;
  inVpc: boolean;
}): Record<string, unknown> {
  return {
    [PROVISION_ROLE_ID]: role({
      service: 'lambda.amazonaws.com',
      policyName: 'danube-provision',
      statements: [logStatement([options.functionName]), ...tokenStatements(options.danube)],
      managedPolicies: options.inVpc ? [VPC_ACCESS_POLICY] : [],
    }),
    [PROVISION_RESOURCE_ID]: {
      Type: 'Custom::DanubeProvision',
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [options.functionLogicalId, 'Arn'] },
        RelayConfig: options.relayConfigJson,
      },
    },
  };
}

/** Makes everything that publishes or consumes wait for the custom resource. Returns their ids. */
export function gateOnProvisioning(resources: Record<string, unknown>): string[] {
  const gated: string[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const r = resource as { Type?: string; DependsOn?: string | string[] };
    if (!r.Type || !GATED_RESOURCE_TYPES.includes(r.Type)) continue;
    const deps = r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn];
    if (!deps.includes(PROVISION_RESOURCE_ID)) r.DependsOn = [...deps, PROVISION_RESOURCE_ID];
    gated.push(id);
  }
  return gated;
}
