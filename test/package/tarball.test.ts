// The package as a user gets it: `npm pack`, the tarball installed into a fresh project that has
// neither tsx nor any @types package, and everything reached through the public subpaths only.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSinkBatch } from '../../src/sink/event.js';
import { signBody, utf8 } from '../../src/core/index.js';
import { freshApp, packTarball, run, scratch, startCliBroker, TOOLS } from './support.js';

let dir: string;
let tarball: string;
let app: string;
let subpaths: string[];

beforeAll(async () => {
  dir = await scratch('danube-package-');
  tarball = await packTarball(dir);
  app = await freshApp(dir, tarball);
  const manifest = JSON.parse(await readFile(join(app, 'node_modules', 'danube-connect-serverless', 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  subpaths = Object.keys(manifest.exports).filter((k) => k !== './package.json');
}, 420_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('holds the compiled code, its types and the LICENSE, and no tests, benches or CI files', async () => {
    const listing = await run('tar', ['tzf', tarball], { cwd: dir });
    const files = listing.output
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
    for (const needed of [
      'LICENSE',
      'README.md',
      'package.json',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/index.d.ts.map',
      'dist/client/index.d.ts',
      'dist/serverless/plugin.cjs',
      'dist/lambda/danube-relay.mjs',
      'dist/lambda/danube-provision.mjs',
      'bin/danube-connect.mjs',
      // The web console: its server and the page it serves as they are.
      'dist/console/server.js',
      'dist/console/assets/index.html',
      'dist/console/assets/app.js',
      'dist/console/assets/console.css',
    ]) {
      expect(files, needed).toContain(needed);
    }
    expect(files.filter((f) => /^(test|bench|functions|\.ci|\.github)\//.test(f) || f.endsWith('.test.ts'))).toEqual([]);
    process.stdout.write(`tarball: ${files.length} files\n`);
  });

  it('installs without tsx, pg, mqtt or any @types package', () => {
    for (const absent of ['tsx', 'pg', 'mqtt', '@types/pg', '@types/aws-lambda']) expect(existsSync(join(app, 'node_modules', absent)), absent).toBe(false);
  });
});

describe('plain Node in the fresh project', () => {
  it('produces and consumes through ./client against `danube-connect broker` started from the project', async () => {
    const broker = await startCliBroker(app);
    try {
      await writeFile(
        join(app, 'roundtrip.mjs'),
        [
          "import { DanubeClient } from 'danube-connect-serverless/client';",
          'const client = new DanubeClient({ serviceUrl: process.argv[2] });',
          "const producer = await client.createProducer({ topic: '/default/fresh', name: 'fresh-producer', dispatch: 'reliable' });",
          "const consumer = await client.subscribe({ topic: '/default/fresh', subscription: 'fresh-sub', type: 'exclusive' });",
          "for (const n of [1, 2, 3]) await producer.send(JSON.stringify({ n }), { key: 'k' });",
          'const got = [];',
          'for await (const message of consumer) {',
          '  got.push(JSON.parse(new TextDecoder().decode(message.payload)).n);',
          '  await consumer.ack(message);',
          '  if (got.length === 3) break;',
          '}',
          'await client.close();',
          "console.log('received', got.join(','));",
        ].join('\n'),
      );
      const out = await run(process.execPath, ['roundtrip.mjs', broker.url], { cwd: app, timeoutMs: 60_000 });
      expect(out.output).toContain('received 1,2,3');
      expect(out.code).toBe(0);
    } finally {
      await broker.stop();
    }
  });

  it('type-checks every subpath under strict settings, with nodenext and with bundler resolution', async () => {
    const esm = subpaths.filter((s) => s !== './serverless');
    const imports = esm.map((s, i) => `import * as m${i} from 'danube-connect-serverless${s.slice(1)}';`);
    await writeFile(join(app, 'check.mts'), `${imports.join('\n')}\nexport const all = [${esm.map((_, i) => `m${i}`).join(', ')}];\n`);
    await writeFile(
      join(app, 'check-plugin.cts'),
      "import DanubeServerless = require('danube-connect-serverless/serverless');\nexport type Plugin = DanubeServerless;\n",
    );
    const strict = {
      target: 'ES2022',
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noPropertyAccessFromIndexSignature: true,
      verbatimModuleSyntax: true,
      skipLibCheck: false,
      noEmit: true,
    };
    for (const [name, resolution] of [
      ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }],
      ['bundler', { module: 'preserve', moduleResolution: 'bundler' }],
    ] as const) {
      await writeFile(
        join(app, `tsconfig.${name}.json`),
        JSON.stringify({ compilerOptions: { ...strict, ...resolution }, files: ['check.mts', 'check-plugin.cts'] }),
      );
      const checked = await run(process.execPath, [TOOLS.tsc, '-p', `tsconfig.${name}.json`, '--listFiles'], { cwd: app });
      expect(
        checked.output.split('\n').filter((l) => l.includes('error TS')),
        `${name}:\n${checked.output}`,
      ).toEqual([]);
      expect(checked.code, name).toBe(0);
      expect(checked.output, 'the checked declarations are ours').toContain('danube-connect-serverless/dist/index.d.ts');
    }
  }, 120_000);
});

describe('danube-connect dev in the fresh project', () => {
  it('names the install command when a TypeScript function needs tsx, and keeps running the rest', async () => {
    const devApp = join(app, 'dev-app');
    await mkdir(join(devApp, 'functions'), { recursive: true });
    await writeFile(
      join(devApp, 'functions', 'sink.ts'),
      "import { defineSink } from 'danube-connect-serverless';\nexport const sink = defineSink(async () => undefined);\n",
    );
    await writeFile(
      join(devApp, 'functions', 'other.mjs'),
      "import { defineSink } from 'danube-connect-serverless';\nimport { lambdaSink } from 'danube-connect-serverless/lambda';\nexport const handler = lambdaSink(defineSink(async () => undefined));\n",
    );
    await writeFile(
      join(devApp, 'serverless.yml'),
      [
        'service: devapp',
        'provider: { name: aws, runtime: nodejs22.x }',
        'custom: { danube: { serviceUrl: http://127.0.0.1:6650 } }',
        'functions:',
        '  tsSink: { handler: functions/sink.sink, events: [{ danube: { topic: /default/a, subscription: a } }] }',
        '  jsSink: { handler: functions/other.handler, events: [{ danube: { topic: /default/b, subscription: b } }] }',
        '',
      ].join('\n'),
    );
    const out = await run(
      process.execPath,
      [join(app, 'node_modules', '.bin', 'danube-connect'), 'dev', '--duration', '4', '--broker-port', '0', '--status-interval', '1'],
      {
        cwd: devApp,
        timeoutMs: 90_000,
        env: { ...process.env, DANUBE_SERVICE_URL: '', AWS_ENDPOINT_URL_DYNAMODB: '' },
      },
    );
    expect(out.output).toContain('npm install --save-dev tsx');
    // The JavaScript function runs: its binding subscribes.
    expect(out.output).toMatch(/binding jsSink-b: state=running/);
    expect(out.code, out.output).toBe(0);
  }, 120_000);
});

describe('a Worker bundle from ./cloudflare', () => {
  it('bundles for workerd without Node built-ins and answers a signed batch in miniflare', async () => {
    await writeFile(
      join(app, 'worker.mjs'),
      [
        "import { defineSink, forEachRecord, InvalidRecordError } from 'danube-connect-serverless';",
        "import { fetchSink } from 'danube-connect-serverless/cloudflare';",
        'const sink = defineSink(forEachRecord(async (record) => {',
        "  if (!record.json().sku) throw new InvalidRecordError('order without sku', { record });",
        '}));',
        'export default { fetch: fetchSink(sink, { secret: (env) => env.SECRET }) };',
      ].join('\n'),
    );
    // platform `neutral` knows no Node built-ins: any `node:` import left would fail the build.
    const bundled = await build({
      entryPoints: [join(app, 'worker.mjs')],
      absWorkingDir: app,
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['browser', 'module', 'main'],
      write: false,
      logLevel: 'silent',
    });
    const script = bundled.outputFiles[0]!.text;
    process.stdout.write(`worker bundle: ${script.length} bytes\n`);
    const mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-09-01', bindings: { SECRET: 'fresh-secret' }, host: '127.0.0.1', port: 0 });
    try {
      const rec = (offset: bigint, body: string) => ({
        topic: '/default/orders-part-0',
        offset,
        publishTime: 1,
        producerName: 'p',
        attributes: {},
        attempt: 1,
        payload: utf8(body),
      });
      const body = JSON.stringify(encodeSinkBatch([rec(1n, '{"sku":"A"}'), rec(2n, '{}')], { binding: 'b', topic: '/default/orders', subscription: 's' }));
      const res = await mf.dispatchFetch('http://worker.local/', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-danube-signature': await signBody('fresh-secret', body) },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ batchItemFailures: [{ itemIdentifier: '/default/orders-part-0@2', reason: 'invalid' }] });
    } finally {
      await mf.dispose();
    }
  }, 120_000);
});

describe('osls package in the fresh project', () => {
  const oslsEnv = (cwd: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: cwd,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLEEXAMPLE00',
    AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key-only-for-offline-packaging',
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_SCHEMA_CACHE_BASE_DIR: cwd,
  });

  it('needs only `plugins` and the danube events, packs every function with or without `individually`, and the relay bundle loads', async () => {
    const { symlink } = await import('node:fs/promises');
    // serverless-esbuild is the user's own choice of bundler plugin; here it is this checkout's.
    await symlink(join(TOOLS.root, 'node_modules', 'serverless-esbuild'), join(app, 'node_modules', 'serverless-esbuild'), 'dir');
    await mkdir(join(app, 'functions'), { recursive: true });
    await writeFile(
      join(app, 'functions', 'orders-sink.ts'),
      [
        "import { defineSink, forEachRecord } from 'danube-connect-serverless';",
        "import { lambdaSink } from 'danube-connect-serverless/lambda';",
        'export const handler = lambdaSink(defineSink(forEachRecord(async (record) => { record.json(); })));',
      ].join('\n'),
    );
    await writeFile(
      join(app, 'functions', 'orders-source.ts'),
      [
        "import { defineSource, SourceRecord } from 'danube-connect-serverless';",
        "import { lambdaSource } from 'danube-connect-serverless/lambda';",
        "const source = defineSource<{ n: number }>({ name: 'orders', topic: '/default/orders', initialCheckpoint: { n: 0 },",
        '  async poll({ checkpoint }) { const n = checkpoint!.n + 1; return { records: [SourceRecord.fromJson({ n })], checkpoint: { n }, done: true }; } });',
        'export const handler = lambdaSource(source);',
      ].join('\n'),
    );
    const service = (individually: boolean) =>
      [
        'service: fresh',
        "frameworkVersion: '>=3'",
        'configValidationMode: error',
        'provider: { name: aws, runtime: nodejs22.x, region: eu-central-1 }',
        `package: { individually: ${individually} }`,
        'plugins: [serverless-esbuild, danube-connect-serverless/serverless]',
        'custom:',
        '  danube:',
        '    serviceUrl: https://danube.example.internal:6650',
        '    token: { ssmParameter: /danube/token }',
        'functions:',
        '  ordersSource: { handler: functions/orders-source.handler, events: [{ schedule: rate(1 minute) }] }',
        '  ordersSink:',
        '    handler: functions/orders-sink.handler',
        '    events:',
        '      - danube: { topic: /default/orders, subscription: orders-sink }',
        '',
      ].join('\n');
    for (const individually of [true, false]) {
      await rm(join(app, '.serverless'), { recursive: true, force: true });
      await rm(join(app, '.esbuild'), { recursive: true, force: true });
      await writeFile(join(app, 'serverless.yml'), service(individually));
      const out = join(app, `out-${individually}`);
      const packaged = await run(TOOLS.osls, ['package', '--package', out], { cwd: app, env: oslsEnv(app), timeoutMs: 180_000 });
      expect(packaged.output, packaged.output).toContain('Service packaged');
      expect(packaged.code).toBe(0);
      const template = JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as {
        Resources: Record<string, { Type: string; Properties: Record<string, any> }>;
      };
      const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
      expect(functions.map((f) => f.Properties.Handler).sort()).toEqual([
        'danube-provision.handler',
        'danube-relay.handler',
        'functions/orders-sink.handler',
        'functions/orders-source.handler',
      ]);
      const { readZipEntries } = await import('../../src/serverless/zip.js');
      for (const fn of functions) {
        const zip = join(out, String(fn.Properties.Code.S3Key).split('/').at(-1)!);
        const names = readZipEntries(zip).map((e) => e.name);
        const handlerFile = `${String(fn.Properties.Handler).replace(/\.[^.]+$/, '')}.mjs`;
        expect(names, `${fn.Properties.Handler} in ${zip}`).toContain(handlerFile);
      }
      // The code the plugin adds (relay, provisioning) runs with nothing beside it but the runtime's AWS SDK.
      const task = join(dir, `relay-task-${individually}`);
      await mkdir(join(task, 'node_modules'), { recursive: true });
      for (const p of ['@aws-sdk', '@smithy', '@aws-crypto', '@aws']) {
        if (existsSync(join(app, 'node_modules', p))) await symlink(join(app, 'node_modules', p), join(task, 'node_modules', p), 'dir');
      }
      for (const zip of ['danube-relay.zip', 'danube-provision.zip'])
        for (const e of readZipEntries(join(out, zip))) await writeFile(join(task, e.name), e.text());
      const loaded = await new Promise<string>((ok) =>
        execFile(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            "const a = await import('./danube-relay.mjs'); const b = await import('./danube-provision.mjs'); console.log(typeof a.handler, typeof b.handler);",
          ],
          {
            cwd: task,
            timeout: 60_000,
            env: { PATH: process.env.PATH, DANUBE_SERVICE_URL: 'http://127.0.0.1:9', DANUBE_RELAY_BINDING: '{}' },
          },
          (err, stdout, stderr) => ok(err ? `${err.message}\n${stderr}` : stdout.trim()),
        ),
      );
      expect(loaded).toBe('function function');
    }
  }, 400_000);
});
