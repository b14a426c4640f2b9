import { join } from 'node:path';
import type { RelayConfigInput } from '../relay/config-schema.js';
import { fill, loadCfnYaml } from './cfn-yaml.js';
import { ENV, connectionEnvironment } from './environment.js';
import { tokenStatements } from './iam.js';
import type { DanubeServiceOptions } from './options.js';

export interface ContainerRelayOptions {
  danube: DanubeServiceOptions;
  /** The relay configuration every task runs (all bindings). */
  relayConfig: RelayConfigInput;
  /** Logical ids of the bound sink functions. */
  invokeLogicalIds: string[];
  /** `<service>-<stage>`, used for names. */
  stackPrefix: string;
  /** Directory holding `relay-service.yml`. */
  infraDir: string;
}

/**
 * The ECS Fargate resources of the relay (`infra/relay-service.yml`), filled from
 * `custom.danube.relay.container`: a cluster (unless one is given), a log group, an execution
 * role that can read the token, a task role that can invoke exactly the bound functions, a task
 * definition and a service of `desiredCount` tasks.
 *
 * @example
 * Object.assign(template.Resources, containerRelayResources({ danube, relayConfig, invokeLogicalIds, stackPrefix, infraDir }));
 */
export function containerRelayResources(options: ContainerRelayOptions): Record<string, unknown> {
  const container = options.danube.relay.container!;
  const fragment = loadCfnYaml(join(options.infraDir, 'relay-service.yml'));
  const resources = { ...(fragment.Resources as Record<string, unknown>) };
  if (container.cluster) delete resources.DanubeRelayCluster;

  const config = { ...options.relayConfig, host: '0.0.0.0', port: container.metricsPort };
  const environment = Object.entries({
    ...connectionEnvironment(options.danube),
    [ENV.relayConfig]: JSON.stringify(config),
  })
    // The token name variables are for functions that fetch the token themselves; ECS injects it.
    .filter(([name]) => name !== ENV.tokenSsmParameter && name !== ENV.tokenSecretId)
    .map(([Name, Value]) => ({ Name, Value }));
  const token = options.danube.token;
  const secrets = token ? [{ Name: ENV.token, ValueFrom: token.ssmParameter ?? token.secretsManager }] : undefined;
  const readToken = tokenStatements(options.danube);

  return fill(
    resources,
    {
      logGroupName: `/ecs/${options.stackPrefix}-danube-relay`,
      family: `${options.stackPrefix}-danube-relay`,
      executionPolicies: readToken.length ? [{ PolicyName: 'danube-relay-token', PolicyDocument: { Version: '2012-10-17', Statement: readToken } }] : undefined,
      invokeResources: options.invokeLogicalIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })),
      cpu: String(container.cpu),
      memory: String(container.memory),
      image: container.image,
      metricsPort: container.metricsPort,
      environment,
      secrets,
      healthCheck: [
        'CMD',
        'node',
        '-e',
        `fetch('http://127.0.0.1:${container.metricsPort}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
      ],
      cluster: container.cluster ?? { Ref: 'DanubeRelayCluster' },
      desiredCount: container.desiredCount,
      assignPublicIp: container.assignPublicIp ? 'ENABLED' : 'DISABLED',
      subnets: container.subnets,
      securityGroups: container.securityGroups,
    },
    'infra/relay-service.yml',
  );
}
