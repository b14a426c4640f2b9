// `osls package` of the project's own serverless.yml, offline and without AWS credentials, and
// what a user deploys: the generated CloudFormation and the function bundles.
//
// The service is copied to a temp dir (node_modules linked) so that `.esbuild/` and
// `.serverless/` never touch the working tree. Everything runs on this machine: osls is given
// dummy credentials and no command here calls AWS.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readZipEntries } from '../../../src/serverless/zip.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const OSLS = join(ROOT, 'node_modules', '.bin', 'osls');

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }> };

let dir: string;
/** A second copy: two packagings at once must not share `.esbuild/`. */
let dir2: string;

function osls(args: string[], cwd = dir): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(
      OSLS,
      args,
      {
        cwd,
        timeout: 170_000,
        env: {
          PATH: process.env.PATH,
          HOME: cwd,
          AWS_ACCESS_KEY_ID: 'AKIDEXAMPLEEXAMPLE00',
          AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key-only-for-offline-packaging',
          AWS_EC2_METADATA_DISABLED: 'true',
          SLS_TELEMETRY_DISABLED: '1',
          SLS_NOTIFICATIONS_MODE: 'off',
          SLS_SCHEMA_CACHE_BASE_DIR: cwd,
        },
      },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

async function packageInto(cwd: string, out: string, extra: string[] = []): Promise<Template> {
  const { code, output } = await osls(['package', '--package', out, ...extra], cwd);
  expect(output, output).toContain('Service packaged');
  expect(code).toBe(0);
  return JSON.parse(await readFile(join(cwd, out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

async function copyService(): Promise<string> {
  const target = await mkdtemp(join(tmpdir(), 'danube-sls-'));
  for (const entry of ['serverless.yml', 'package.json', 'tsconfig.json', 'src', 'dist', 'functions', 'infra']) {
    await cp(join(ROOT, entry), join(target, entry), { recursive: true });
  }
  await symlink(join(ROOT, 'node_modules'), join(target, 'node_modules'), 'dir');
  return target;
}

// The three osls runs start together (each takes a few seconds of CPU; the machine has two cores).
let lambdaRun: Promise<Template>;
let containerRun: Promise<Template>;
let typoRun: Promise<{ code: number; output: string }>;
const cleanup: string[] = [];

const ofType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const statementsOf = (t: Template, roleId: string) =>
  t.Resources[roleId]!.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement) as Array<{ Action: string[]; Resource: unknown[] }>;

beforeAll(async () => {
  [dir, dir2] = await Promise.all([copyService(), copyService()]);
  const yml = await readFile(join(dir, 'serverless.yml'), 'utf8');
  await writeFile(join(dir, 'serverless-typo.yml'), yml.replace('          batchSize: 10', '          batchSze: 10'));
  // Container mode needs no catalog connector to show its resources: two sinks are enough, and
  // fewer bundles keep the run short.
  const doc = parse(yml) as { functions: Record<string, unknown> };
  doc.functions = Object.fromEntries(Object.entries(doc.functions).filter(([k]) => ['exampleSource', 'exampleSink', 'postgresSink'].includes(k)));
  await writeFile(join(dir2, 'serverless.yml'), stringify(doc));
  lambdaRun = packageInto(dir, 'out-lambda');
  containerRun = packageInto(dir2, 'out-container', ['--param=relayMode=container']);
  typoRun = osls(['package', '--config', 'serverless-typo.yml', '--package', 'out-typo']);
  for (const p of [lambdaRun, containerRun, typoRun]) p.catch(() => undefined);
});

afterAll(async () => {
  for (const d of [dir, dir2, ...cleanup]) if (d) await rm(d, { recursive: true, force: true });
});

describe('osls package (relay as a scheduled Lambda, the default)', () => {
  let t: Template;
  beforeAll(async () => {
    t = await lambdaRun;
  }, 180_000);

  it('adds the checkpoint table from infra/checkpoint-table.yml, named for the stage', () => {
    const table = t.Resources.DanubeCheckpointTable!;
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.Properties.TableName).toBe('danube-connect-dev-danube-checkpoints');
    expect(table.Properties.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('schedules sources with rate and cron expressions', () => {
    const expressions = ofType(t, 'AWS::Events::Rule').map(([, r]) => r.Properties.ScheduleExpression as string);
    expect(expressions).toContain('rate(1 minute)');
    expect(expressions.some((e) => e.startsWith('cron('))).toBe(true);
  });

  it('gives sources exactly the table row operations on that table, and the token parameter', () => {
    const source = t.Resources.ExampleSourceLambdaFunction!;
    expect(source.Properties.Role).toEqual({ 'Fn::GetAtt': ['DanubeSourceRole', 'Arn'] });
    const statements = statementsOf(t, 'DanubeSourceRole');
    const table = statements.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
    expect(table).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: [{ 'Fn::GetAtt': ['DanubeCheckpointTable', 'Arn'] }] },
    ]);
    const ssm = statements.find((s) => s.Action.includes('ssm:GetParameter'))!;
    expect(JSON.stringify(ssm.Resource)).toContain(':parameter/danube/dev/token');
    expect(statements.flatMap((s) => s.Action).every((a) => !a.includes('*'))).toBe(true);
    const env = source.Properties.Environment.Variables;
    expect(env.DANUBE_CHECKPOINT_TABLE).toBe('danube-connect-dev-danube-checkpoints');
    expect(env.DANUBE_TOKEN_SSM_PARAMETER).toBe('/danube/dev/token');
  });

  it('never writes a token or uses AWS-calling variables in the template', async () => {
    const text = JSON.stringify(t);
    expect(text).not.toMatch(/\$\{(aws:accountId|ssm:|cf:)/);
    expect(text).not.toContain('DANUBE_TOKEN"');
  });

  it('runs the relay as one scheduled Lambda per binding, reserved concurrency 1, invoking only its sink', () => {
    const relays = ofType(t, 'AWS::Lambda::Function').filter(([, r]) => r.Properties.Environment?.Variables?.DANUBE_RELAY_BINDING);
    expect(relays.length).toBeGreaterThanOrEqual(1);
    for (const [id, fn] of relays) {
      expect(fn.Properties.ReservedConcurrentExecutions, id).toBe(1);
      const binding = JSON.parse(fn.Properties.Environment.Variables.DANUBE_RELAY_BINDING);
      expect(binding.subscription.consumerName, 'runs hand over by consumer name').toBe(`${binding.name}-relay`);
      expect(Number(fn.Properties.Environment.Variables.DANUBE_RELAY_STOP_MARGIN_MS)).toBeLessThan(fn.Properties.Timeout * 1000);
      const rule = ofType(t, 'AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.Targets).includes(id));
      expect(rule?.[1].Properties.ScheduleExpression).toBe('rate(1 minute)');
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      const invoke = statementsOf(t, roleId).filter((s) => s.Action.includes('lambda:InvokeFunction'));
      const sinkId = Object.entries(t.Resources).find(([, r]) => r.Properties?.FunctionName === binding.function.name)![0];
      expect(invoke).toEqual([{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [{ 'Fn::GetAtt': [sinkId, 'Arn'] }] }]);
    }
    const exampleRelay = relays.find(([, r]) => r.Properties.Environment.Variables.DANUBE_RELAY_BINDING.includes('"/default/orders"'));
    expect(exampleRelay, 'the example sink has a relay').toBeDefined();
  });

  it('provisions topics and relay subscriptions in a custom resource that schedules and the relay wait for', () => {
    const resource = t.Resources.DanubeProvision!;
    expect(resource.Type).toBe('Custom::DanubeProvision');
    const functionId = resource.Properties.ServiceToken['Fn::GetAtt'][0] as string;
    const fn = t.Resources[functionId]!;
    expect(fn.Properties.FunctionName).toBe('danube-connect-dev-danube-provision');
    expect(fn.Properties.Environment.Variables).toMatchObject({
      DANUBE_ADMIN_URL: 'https://danube.example.internal:50051',
      DANUBE_TOKEN_SSM_PARAMETER: '/danube/dev/token',
    });
    const config = JSON.parse(resource.Properties.RelayConfig);
    expect(config.bindings.map((b: any) => b.topic)).toContain('/default/orders');
    // Its role: logs and the token parameter, nothing else (topics are the broker's RBAC).
    const actions = statementsOf(t, 'DanubeProvisionRole')
      .flatMap((s) => s.Action)
      .sort();
    expect(actions).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'ssm:GetParameter']);
    const rules = ofType(t, 'AWS::Events::Rule');
    expect(rules.length).toBeGreaterThan(0);
    for (const [id, rule] of rules) expect(rule.DependsOn, id).toContain('DanubeProvision');
  });

  it('writes the relay configuration next to the template', async () => {
    const config = JSON.parse(await readFile(join(dir, 'out-lambda', 'danube-relay.json'), 'utf8'));
    const example = config.bindings.find((b: any) => b.topic === '/default/orders');
    expect(example).toMatchObject({ deadLetterTopic: '/default/orders-dlq', function: { type: 'lambda', name: 'danube-connect-dev-exampleSink' } });
  });

  it('bundles ESM with the createRequire banner, leaves the AWS SDK out, and keeps a sink under 1 MiB', async () => {
    const entries = readZipEntries(join(dir, 'out-lambda', 'exampleSink.zip'));
    const code = entries.filter((e) => e.name.endsWith('.mjs'));
    expect(code.length).toBe(1);
    const size = code[0]!.size;
    expect(size).toBeLessThanOrEqual(1024 * 1024);
    const text = code[0]!.text();
    expect(text.slice(0, 200)).toContain('createRequire');
    expect(text).not.toMatch(/node_modules\/@aws-sdk\/client-/);
    for (const zip of ['exampleSource.zip', ...(await zipNames())]) {
      const names = readZipEntries(join(dir, 'out-lambda', zip)).map((e) => e.name);
      expect(
        names.some((n) => n.startsWith('node_modules/@aws-sdk')),
        zip,
      ).toBe(false);
    }
    process.stdout.write(`example sink bundle: ${size} bytes\n`);
    // Every sink stays under 1 MiB too, the bridge included although it embeds a Danube client
    // (grpc-js, the generated protocol) to republish.
    for (const zip of ['exampleSink.zip', 'httpSink.zip', 'dynamodbSink.zip', 'postgresSink.zip', 'bridge.zip']) {
      const mjs = readZipEntries(join(dir, 'out-lambda', zip)).find((e) => e.name.endsWith('.mjs'))!;
      process.stdout.write(`${zip}: ${mjs.size} bytes\n`);
      expect(mjs.size, zip).toBeLessThanOrEqual(1024 * 1024);
    }
  });
});

// What the nodejs22.x runtime provides besides the bundle: the AWS SDK v3 and its dependencies.
const RUNTIME_PACKAGES = ['@aws-sdk', '@smithy', '@aws-crypto', '@aws'];

describe('the bundles run as Lambda loads them', () => {
  it("imports the relay and source bundles (ESM with grpc-js) with only the runtime's SDK beside them", async () => {
    await lambdaRun;
    const { mkdir, writeFile: write } = await import('node:fs/promises');
    // Outside the service copy: its node_modules (the whole project's) must not be found.
    const task = await mkdtemp(join(tmpdir(), 'danube-task-'));
    cleanup.push(task);
    await mkdir(join(task, 'node_modules'), { recursive: true });
    for (const p of RUNTIME_PACKAGES)
      if (existsSync(join(ROOT, 'node_modules', p))) await symlink(join(ROOT, 'node_modules', p), join(task, 'node_modules', p), 'dir');
    const zips = (await zipNames()).filter(
      (z) => z === 'danube-relay.zip' || z === 'danube-provision.zip' || z === 'exampleSource.zip' || z === 'exampleSink.zip',
    );
    for (const zip of zips) {
      for (const e of readZipEntries(join(dir, 'out-lambda', zip))) {
        if (!e.name.endsWith('.mjs')) continue;
        await mkdir(join(task, e.name, '..'), { recursive: true });
        await write(join(task, e.name), e.text());
      }
    }
    const script = `for (const f of ['./danube-relay.mjs', './danube-provision.mjs', './functions/example-source.mjs', './functions/example-sink.mjs']) { const m = await import(f); if (typeof m.handler !== 'function') throw new Error(f + ': no handler'); } console.log('ok');`;
    const out = await new Promise<string>((ok, fail) =>
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        {
          cwd: task,
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            DANUBE_SERVICE_URL: 'http://127.0.0.1:9',
            DANUBE_RELAY_BINDING: '{}',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
        },
        (err, stdout, stderr) => (err ? fail(new Error(`${err.message}\n${stderr}`)) : ok(stdout)),
      ),
    );
    expect(out.trim()).toBe('ok');
  }, 180_000);
});

async function zipNames(): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir(join(dir, 'out-lambda'))).filter((f) => f.endsWith('.zip'));
}

describe('osls package (relay as an ECS service)', () => {
  it('adds cluster, task definition, service, log group and roles scoped to the bound functions', async () => {
    const t = await containerRun;
    const service = t.Resources.DanubeRelayService!;
    expect(service.Type).toBe('AWS::ECS::Service');
    expect(service.Properties.LaunchType).toBe('FARGATE');
    expect(service.Properties.DesiredCount).toBe(2);
    expect(t.Resources.DanubeRelayCluster!.Type).toBe('AWS::ECS::Cluster');
    expect(t.Resources.DanubeRelayLogGroup!.Type).toBe('AWS::Logs::LogGroup');
    const container = t.Resources.DanubeRelayTaskDefinition!.Properties.ContainerDefinitions[0];
    const env = Object.fromEntries(container.Environment.map((e: any) => [e.Name, e.Value]));
    const config = JSON.parse(env.DANUBE_RELAY_CONFIG);
    // Two tasks share each subscription; ordered-by-key bindings use a key-shared one.
    const example = config.bindings.find((b: any) => b.topic === '/default/orders');
    expect(example.subscription.type).toBe('key-shared');
    expect(container.Secrets).toEqual([{ Name: 'DANUBE_TOKEN', ValueFrom: '/danube/dev/token' }]);
    const invoke = statementsOf(t, 'DanubeRelayTaskRole').find((s) => s.Action.includes('lambda:InvokeFunction'))!;
    const bound = new Set(config.bindings.map((b: any) => b.function.name));
    const ids = invoke.Resource.map((r: any) => r['Fn::GetAtt'][0]);
    expect(ids.map((id: string) => t.Resources[id]!.Properties.FunctionName).sort()).toEqual([...bound].sort());
    expect(ofType(t, 'AWS::Lambda::Function').some(([, r]) => r.Properties.Environment?.Variables?.DANUBE_RELAY_BINDING)).toBe(false);
    expect(service.DependsOn).toContain('DanubeProvision');
  }, 180_000);
});

describe('osls package with a mistake in a danube event', () => {
  it('fails and names the misspelled field', async () => {
    const { code, output } = await typoRun;
    expect(code).not.toBe(0);
    expect(output).toContain("at 'functions.exampleSink.events.0.danube': unrecognized property 'batchSze'");
  }, 180_000);
});
