import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BindingInput } from '../relay/config-schema.js';
import { missingCode } from './artifact-check.js';
import { buildRelayConfig, type ServiceFunction } from './bindings.js';
import { withEsbuildDefaults } from './esbuild-defaults.js';
import { danubeCustomJsonSchema, danubeEventJsonSchema, danubeFunctionPropertiesJsonSchema } from './event-schema.js';
import { ENV, connectionEnvironment } from './environment.js';
import { checkpointTableStatement, logStatement, role, tokenStatements, VPC_ACCESS_POLICY } from './iam.js';
import { ServerlessConfigError, parseDanubeServiceOptions, type DanubeServiceOptions } from './options.js';
import { containerRelayResources } from './relay-container.js';
import { exitWhenIdle, writeRequireShim } from './invoke-local.js';
import { bundledHandler, writeBundledArtifact, type BundledFunction } from './bundled-functions.js';
import { lambdaRelayParts } from './relay-lambda.js';
import { gateOnProvisioning, PROVISION_FUNCTION_KEY, provisionFunction, provisionResources } from './provision-parts.js';
import { checkpointTableName, checkpointTableResource, isSourceFunction, functionAccess } from './service-model.js';

/** The subset of osls's `serverless` object the plugin uses. */
export interface ServerlessLike {
  serviceDir: string;
  /** `servicePath` is where serverless-esbuild points invoke local at its build folder. */
  config?: { servicePath?: string };
  processedInput?: { commands?: string[] };
  service: {
    service: string;
    custom?: Record<string, unknown>;
    package?: { individually?: boolean; artifact?: string };
    /** The configuration as read, before osls' own processing (osls v3). */
    initialServerlessConfig?: { custom?: Record<string, unknown> };
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
  private bindingFunction: ReadonlyMap<string, string> = new Map();
  private relayConfigJson = '';
  /** Lambda mode: the relay functions' roles, added to the template with the other resources. */
  private relayResources: Record<string, unknown> = {};

  constructor(
    private readonly serverless: ServerlessLike,
    private readonly options: { package?: string; function?: string } & Record<string, unknown> = {},
    private readonly utils: { log?: PluginLog } = {},
    /** The package root: `infra/` and the relay's Lambda bundle ship with the plugin. */
    private readonly packageRoot: string = process.cwd(),
  ) {
    serverless.configSchemaHandler.defineFunctionEvent('aws', 'danube', danubeEventJsonSchema());
    serverless.configSchemaHandler.defineCustomProperties(danubeCustomJsonSchema());
    serverless.configSchemaHandler.defineFunctionProperties('aws', danubeFunctionPropertiesJsonSchema());
    // Before any hook runs: serverless-esbuild reads its settings when it initializes. osls
    // reloads `custom` from the configuration it read before running a command, so that is
    // where the defaults go.
    const service = serverless.service;
    const input = service.initialServerlessConfig;
    const custom = input?.custom ?? service.custom ?? {};
    custom.esbuild = withEsbuildDefaults(custom.esbuild);
    service.custom = custom;
    if (input) input.custom = custom;
    this.hooks = {
      'before:package:initialize': () => this.guard(() => this.prepare()),
      'package:compileEvents': () => this.guard(() => this.addResources()),
      // Every event is compiled and every artifact written by then: schedules, APIs and the relay
      // wait for provisioning, and no function ships without its code.
      'before:package:finalize': () =>
        this.guard(() => {
          this.gate();
          this.checkArtifacts();
        }),
      // Functions get their Danube environment before osls reads it for an invocation (osls's own
      // loadEnvVars hook runs before any plugin's).
      initialize: () =>
        this.guard(() => {
          if (serverless.processedInput?.commands?.join(' ') === 'invoke local') this.wireFunctions();
        }),
      'before:invoke:local:invoke': () => this.guard(() => this.shimHandler()),
      'after:invoke:local:invoke': () => exitWhenIdle(),
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
    const danube = this.wireFunctions();
    const functions = this.serverless.service.functions;
    const mode = danube.relay.mode;
    if (danube.provision.enabled && this.bindings.length > 0) {
      functions[PROVISION_FUNCTION_KEY] = this.bundled('provision', provisionFunction(danube, this.stackPrefix, bundledHandler('provision')));
    }
    if (mode === 'lambda' && this.bindings.length > 0) {
      const parts = lambdaRelayParts({
        danube,
        bindings: this.bindings,
        stackPrefix: this.stackPrefix,
        handler: bundledHandler('relay'),
        logicalIdOf: (key) => this.logicalIdOf(key),
        functionKeyOf: (binding) => this.bindingFunction.get(binding.name)!,
      });
      for (const [key, fn] of Object.entries(parts.functions)) functions[key] = this.bundled('relay', fn);
      this.relayResources = parts.resources;
    }
  }

  /** A function whose code ships with the package: its prebuilt artifact, which serverless-esbuild leaves alone. */
  private bundled(fn: BundledFunction, definition: Record<string, unknown>): ServiceFunction {
    const artifact = writeBundledArtifact(this.packageRoot, fn, this.packageDir());
    return { ...definition, package: { artifact: relative(this.serverless.serviceDir, artifact) }, skipEsbuild: true } as ServiceFunction;
  }

  /**
   * Where packaging collects artifacts. With `--package DIR` osls moves `.serverless` there at the
   * end, and serverless-esbuild points every function's artifact into `.serverless` meanwhile.
   */
  private packageDir(): string {
    return join(this.serverless.serviceDir, '.serverless');
  }

  /** Checks the events, derives the relay bindings, and gives sources and publishers their environment and role. */
  private wireFunctions(): DanubeServiceOptions {
    const service = this.serverless.service;
    const danube = (this.danube = parseDanubeServiceOptions(service.custom?.danube));
    const functions = service.functions;
    const mode = danube.relay.mode;
    const { raw, warnings, functionKeys } = buildRelayConfig({
      functions,
      danube,
      defaultTimeoutSeconds: service.provider.timeout,
      target: { kind: 'lambda' },
      relayMode: mode,
      replicas: danube.relay.container?.desiredCount,
    });
    for (const warning of warnings) this.utils.log?.warning(`Danube: ${warning}`);
    this.bindings = raw.bindings;
    this.bindingFunction = new Map(functionKeys);
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

    return danube;
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

  /** Fails the packaging, naming each function, when its artifact lacks its code. */
  private checkArtifacts(): void {
    const service = this.serverless.service;
    const problems = missingCode({
      serviceDir: this.serverless.serviceDir,
      individually: service.package?.individually === true,
      ...(service.package?.artifact ? { serviceArtifact: service.package.artifact } : {}),
      functions: this.options.function ? { [this.options.function]: service.functions[this.options.function]! } : service.functions,
    });
    if (problems.length > 0) {
      throw new ServerlessConfigError(`Danube: the packaged code is incomplete, a deploy would fail on every call:\n  ${problems.join('\n  ')}`);
    }
  }

  /** `osls invoke local` of an ES module bundle: a CommonJS file osls can require() beside it. */
  private shimHandler(): void {
    const key = this.options.function;
    const handler = key ? this.serverless.service.functions[key]?.handler : undefined;
    if (typeof handler !== 'string') return;
    writeRequireShim(this.serverless.config?.servicePath ?? this.serverless.serviceDir, handler);
  }

  /** Schedules, APIs, event source mappings and the relay service wait for the provisioning resource. */
  private gate(): void {
    if (!this.serverless.service.functions[PROVISION_FUNCTION_KEY]) return;
    const gated = gateOnProvisioning(this.serverless.service.provider.compiledCloudFormationTemplate.Resources);
    this.utils.log?.notice(`Danube: ${gated.length} resource(s) wait for topics and subscriptions to be provisioned`);
  }
}
