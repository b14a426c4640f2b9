import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { BindingInput } from '../relay/config-schema.js';
import { buildRelayConfig, type ServiceFunction } from './bindings.js';
import { danubeCustomJsonSchema, danubeEventJsonSchema, danubeFunctionPropertiesJsonSchema } from './event-schema.js';
import { ENV, connectionEnvironment } from './environment.js';
import { checkpointTableStatement, logStatement, role, tokenStatements, VPC_ACCESS_POLICY } from './iam.js';
import { ServerlessConfigError, parseDanubeServiceOptions, type DanubeServiceOptions } from './options.js';
import { containerRelayResources } from './relay-container.js';
import { lambdaRelayParts } from './relay-lambda.js';
import { gateOnProvisioning, PROVISION_FUNCTION_KEY, provisionFunction, provisionResources } from './provision-parts.js';
import { checkpointTableName, checkpointTableResource, isSourceFunction, functionAccess } from './service-model.js';

/** The subset of osls's `serverless` object the plugin uses. */
export interface ServerlessLike {
  serviceDir: string;
  service: {
    service: string;
    custom?: Record<string, unknown>;
    provider: {
      stage: string;
      timeout?: number;
      vpc?: unknown;
      compiledCloudFormationTemplate: { Resources: Record<string, unknown>; Outputs?: Record<string, unknown> };
    };
    functions: Record<string, ServiceFunction>;
  };
  configSchemaHandler: {
    defineFunctionEvent(provider: string, name: string, schema: object): void;
    defineCustomProperties(schema: object): void;
    defineFunctionProperties(provider: string, schema: object): void;
  };
  getProvider(name: 'aws'): { naming: { getLambdaLogicalId(functionKey: string): string } };
  classes: { Error: new (message: string, code?: string) => Error };
}

interface PluginLog {
  notice(message: string): void;
  warning(message: string): void;
}

/**
 * The Danube plugin for osls (Serverless Framework v3): registers the `danube` function event,
 * turns those events into the relay configuration, and adds the checkpoint table, least-privilege
 * IAM and the relay runtime (`custom.danube.relay.mode`: `lambda`, `container` or `none`).
 *
 * @example
 * # serverless.yml
 * plugins:
 *   - serverless-esbuild
 *   - danube-connect-serverless/serverless
 */
export class DanubeServerlessPlugin {
  readonly hooks: Record<string, () => void | Promise<void>>;
  private danube?: DanubeServiceOptions;
  private bindings: BindingInput[] = [];
  private bindingFunction = new Map<string, string>();
  private relayConfigJson = '';
  /** Lambda mode: the relay functions' roles, added to the template with the other resources. */
  private relayResources: Record<string, unknown> = {};

  constructor(
    private readonly serverless: ServerlessLike,
    _options: Record<string, unknown> = {},
    private readonly utils: { log?: PluginLog } = {},
    /** The package root: `infra/` and `functions/relay.ts` ship with the plugin. */
    private readonly packageRoot: string = process.cwd(),
  ) {
    serverless.configSchemaHandler.defineFunctionEvent('aws', 'danube', danubeEventJsonSchema());
    serverless.configSchemaHandler.defineCustomProperties(danubeCustomJsonSchema());
    serverless.configSchemaHandler.defineFunctionProperties('aws', danubeFunctionPropertiesJsonSchema());
    this.hooks = {
      'before:package:initialize': () => this.guard(() => this.prepare()),
      'package:compileEvents': () => this.guard(() => this.addResources()),
      // Every event is compiled by then: schedules, APIs and the relay wait for provisioning.
      'before:package:finalize': () => this.guard(() => this.gate()),
    };
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (err instanceof ServerlessConfigError) throw new this.serverless.classes.Error(err.message, 'DANUBE_INVALID_CONFIGURATION');
      throw err;
    }
  }

  private get stackPrefix(): string {
    return `${this.serverless.service.service}-${this.serverless.service.provider.stage}`;
  }

  private logicalIdOf(functionKey: string): string {
    return this.serverless.getProvider('aws').naming.getLambdaLogicalId(functionKey);
  }

  /** Validates the events, wires sources and adds the relay functions before anything is built. */
  private prepare(): void {
    const service = this.serverless.service;
    const danube = (this.danube = parseDanubeServiceOptions(service.custom?.danube));
    const functions = service.functions;
    const mode = danube.relay.mode;
    const { raw, warnings } = buildRelayConfig({
      functions,
      danube,
      defaultTimeoutSeconds: service.provider.timeout,
      target: { kind: 'lambda' },
      relayMode: mode,
      replicas: danube.relay.container?.desiredCount,
    });
    for (const warning of warnings) this.utils.log?.warning(`Danube: ${warning}`);
    this.bindings = raw.bindings;
    for (const binding of this.bindings) {
      const key = Object.entries(functions).find(([, fn]) => fn.name === (binding.function as { name: string }).name)?.[0];
      this.bindingFunction.set(binding.name, key!);
    }
    this.relayConfigJson = JSON.stringify(raw, null, 2);

    const tableName = checkpointTableName(danube, this.stackPrefix);
    for (const [key, fn] of Object.entries(functions)) {
      const access = functionAccess(fn);
      if (access === 'none') continue;
      const env: Record<string, unknown> = { ...connectionEnvironment(danube), ...((fn.environment as object) ?? {}) };
      if (access === 'source') Object.assign(env, { [ENV.checkpointTable]: tableName, [ENV.service]: service.service });
      fn.environment = env;
      if (fn.role === undefined) fn.role = access === 'source' ? 'DanubeSourceRole' : 'DanubePublisherRole';
      else this.utils.log?.notice(`Danube: function ${key} has its own role; grant it the Danube permissions yourself`);
    }

    if (danube.provision.enabled && this.bindings.length > 0) {
      const handler = `${relative(this.serverless.serviceDir, join(this.packageRoot, 'functions', 'provision')).split(sep).join('/')}.handler`;
      functions[PROVISION_FUNCTION_KEY] = provisionFunction(danube, this.stackPrefix, handler);
    }

    if (mode === 'lambda' && this.bindings.length > 0) {
      const parts = lambdaRelayParts({
        danube,
        bindings: this.bindings,
        stackPrefix: this.stackPrefix,
        handler: `${relative(this.serverless.serviceDir, join(this.packageRoot, 'functions', 'relay')).split(sep).join('/')}.handler`,
        logicalIdOf: (key) => this.logicalIdOf(key),
        functionKeyOf: (binding) => this.bindingFunction.get(binding.name)!,
      });
      Object.assign(functions, parts.functions);
      this.relayResources = parts.resources;
    }
  }

  /** Adds the table, the roles and the container relay to the compiled template. */
  private addResources(): void {
    const danube = this.danube ?? parseDanubeServiceOptions(this.serverless.service.custom?.danube);
    const service = this.serverless.service;
    const template = service.provider.compiledCloudFormationTemplate;
    const resources = template.Resources;
    const outputs = (template.Outputs ??= {});
    const functions = Object.entries(service.functions);
    const withRole = (roleName: string) => functions.filter(([, fn]) => fn.role === roleName);
    // osls fills an empty `vpc: {}` into every function while compiling: only subnets count.
    const subnets = (vpc: unknown) => (vpc as { subnetIds?: unknown[] } | undefined)?.subnetIds?.length;
    const inVpc = (fn: ServiceFunction) => Boolean(subnets(fn.vpc) ?? subnets(service.provider.vpc));

    const sources = withRole('DanubeSourceRole');
    if (functions.some(([, fn]) => isSourceFunction(fn))) {
      resources.DanubeCheckpointTable = checkpointTableResource(join(this.packageRoot, 'infra'), checkpointTableName(danube, this.stackPrefix));
      outputs.DanubeCheckpointTableName = { Value: { Ref: 'DanubeCheckpointTable' } };
    }
    if (sources.length) {
      resources.DanubeSourceRole = role({
        service: 'lambda.amazonaws.com',
        policyName: 'danube-source',
        statements: [logStatement(sources.map(([k, fn]) => fn.name ?? k)), checkpointTableStatement(), ...tokenStatements(danube)],
        managedPolicies: sources.some(([, fn]) => inVpc(fn)) ? [VPC_ACCESS_POLICY] : [],
      });
    }
    const publishers = withRole('DanubePublisherRole');
    if (publishers.length) {
      resources.DanubePublisherRole = role({
        service: 'lambda.amazonaws.com',
        policyName: 'danube-publisher',
        statements: [logStatement(publishers.map(([k, fn]) => fn.name ?? k)), ...tokenStatements(danube)],
        managedPolicies: publishers.some(([, fn]) => inVpc(fn)) ? [VPC_ACCESS_POLICY] : [],
      });
    }
    Object.assign(resources, this.relayResources);
    const provisioner = service.functions[PROVISION_FUNCTION_KEY];
    if (provisioner) {
      Object.assign(
        resources,
        provisionResources({
          danube,
          relayConfigJson: this.relayConfigJson,
          functionName: provisioner.name ?? PROVISION_FUNCTION_KEY,
          functionLogicalId: this.logicalIdOf(PROVISION_FUNCTION_KEY),
          inVpc: inVpc(provisioner),
        }),
      );
    }
    if (danube.relay.mode === 'container' && this.bindings.length > 0) {
      Object.assign(
        resources,
        containerRelayResources({
          danube,
          relayConfig: JSON.parse(this.relayConfigJson),
          invokeLogicalIds: [...new Set(this.bindings.map((b) => this.logicalIdOf(this.bindingFunction.get(b.name)!)))],
          stackPrefix: this.stackPrefix,
          infraDir: join(this.packageRoot, 'infra'),
        }),
      );
      outputs.DanubeRelayServiceName = { Value: { 'Fn::GetAtt': ['DanubeRelayService', 'Name'] } };
    }
    if (this.relayConfigJson) {
      // The same bindings, for `danube-connect relay --config .serverless/danube-relay.json` anywhere.
      // osls builds in .serverless/ and moves it to `--package DIR` at the end, this file included.
      const dir = join(this.serverless.serviceDir, '.serverless');
      if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'danube-relay.json'), `${this.relayConfigJson}\n`);
    }
  }

  /** Schedules, APIs, event source mappings and the relay service wait for the provisioning resource. */
  private gate(): void {
    if (!this.serverless.service.functions[PROVISION_FUNCTION_KEY]) return;
    const gated = gateOnProvisioning(this.serverless.service.provider.compiledCloudFormationTemplate.Resources);
    this.utils.log?.notice(`Danube: ${gated.length} resource(s) wait for topics and subscriptions to be provisioned`);
  }
}
