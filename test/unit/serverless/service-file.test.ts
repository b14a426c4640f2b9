import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelayConfig } from '../../../src/serverless/bindings.js';
import { danubeEventJsonSchema } from '../../../src/serverless/event-schema.js';
import { parseDanubeServiceOptions } from '../../../src/serverless/options.js';
import { loadServiceFile } from '../../../src/serverless/service-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'danube-sf-'));
  await writeFile(
    join(dir, 'serverless.yml'),
    `
service: shop
provider:
  name: aws
  stage: \${opt:stage, 'dev'}
  timeout: 20
custom:
  danube:
    serviceUrl: \${env:DANUBE_SERVICE_URL, 'http://127.0.0.1:6650'}
    token:
      ssmParameter: /danube/\${sls:stage}/token
    relay:
      mode: \${param:relayMode, 'lambda'}
functions:
  sink:
    handler: functions/sink.handler
    environment:
      OUT: \${env:DATA, '/tmp'}/out.jsonl
    events:
      - danube: { topic: /default/orders, subscription: orders-sink, ordering: key, deadLetterTopic: /default/orders-dlq }
resources:
  Resources:
    Bucket: { Type: AWS::S3::Bucket, Properties: { BucketName: { 'Fn::Sub': 'b-\${AWS::AccountId}' } } }
`,
  );
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('loadServiceFile', () => {
  it('resolves the variables that need no cloud and names functions like osls', () => {
    const s = loadServiceFile(join(dir, 'serverless.yml'), { env: { DATA: '/work/.danube' }, params: { relayMode: 'container' }, stage: 'test' });
    expect(s.provider.stage).toBe('test');
    expect(s.custom.danube).toEqual({ serviceUrl: 'http://127.0.0.1:6650', token: { ssmParameter: '/danube/test/token' }, relay: { mode: 'container' } });
    expect(s.functions.sink!.name).toBe('shop-test-sink');
    expect((s.functions.sink!.environment as Record<string, string>).OUT).toBe('/work/.danube/out.jsonl');
  });

  it('turns danube events into relay bindings the relay accepts', () => {
    const s = loadServiceFile(join(dir, 'serverless.yml'), { env: {} });
    const danube = parseDanubeServiceOptions(s.custom.danube);
    const { config } = buildRelayConfig({ functions: s.functions, danube, defaultTimeoutSeconds: 20, target: { kind: 'lambda' }, relayMode: 'lambda' });
    expect(config.bindings[0]).toMatchObject({
      name: 'sink-orders',
      topic: '/default/orders',
      ordering: 'key',
      batchSize: 100,
      subscription: { name: 'orders-sink', consumerName: 'sink-orders-relay' },
      function: { type: 'lambda', name: 'shop-dev-sink', timeoutMs: 20_000 },
    });
  });
});

describe('relay bindings per relay mode', () => {
  const danube = parseDanubeServiceOptions({});
  const fn = (subscription: unknown, ordering = 'key') => ({
    sink: { name: 'svc-dev-sink', events: [{ danube: { topic: '/default/orders', subscription, ordering } }] },
  });

  it('container tasks share a key-ordered subscription as key-shared, and refuse an exclusive one', () => {
    const shared = buildRelayConfig({ functions: fn('orders'), danube, target: { kind: 'lambda' }, relayMode: 'container', replicas: 3 });
    expect(shared.config.bindings[0]!.subscription.type).toBe('key-shared');
    expect(shared.config.bindings[0]!.subscription.consumerName).toBeUndefined();
    expect(() =>
      buildRelayConfig({ functions: fn({ name: 'orders', type: 'exclusive' }), danube, target: { kind: 'lambda' }, relayMode: 'container', replicas: 2 }),
    ).toThrow(/exclusive cannot be shared by 2 relay tasks/);
  });

  it('names the binding and the field of a bad event', () => {
    expect(() =>
      buildRelayConfig({
        functions: { sink: { events: [{ danube: { topic: '/default/o', subscription: 's', batchSize: 0 } }] } },
        danube,
        target: { kind: 'lambda' },
        relayMode: 'lambda',
      }),
    ).toThrow(/binding "sink-o": batchSize/);
    expect(() =>
      buildRelayConfig({
        functions: { sink: { events: [{ danube: { topic: '/default/o', subscription: 's', deadLetterTopic: '/default/o' } }] } },
        danube,
        target: { kind: 'lambda' },
        relayMode: 'lambda',
      }),
    ).toThrow(/deadLetterTopic: must differ from topic/);
  });
});

describe('custom.danube and the danube event', () => {
  it('refuses unknown keys and half-given settings, naming them', () => {
    expect(() => parseDanubeServiceOptions({ serviceUrl: 'http://x:1', relai: {} })).toThrow(/relai: unknown key/);
    expect(() => parseDanubeServiceOptions({ token: { ssmParameter: '/a', secretsManager: 'b' } })).toThrow(/exactly one of ssmParameter or secretsManager/);
    expect(() => parseDanubeServiceOptions({ relay: { mode: 'container' } })).toThrow(/relay.container/);
  });

  it('event schema: every binding field but function, no unknown keys', () => {
    const schema = danubeEventJsonSchema() as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['topic', 'subscription']);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'batchSize',
        'maxBatchingWindowMs',
        'ordering',
        'maxRetryAttempts',
        'deadLetterTopic',
        'filter',
        'bisectOnError',
        'maxRecordAgeSeconds',
      ]),
    );
    expect(schema.properties.function).toBeUndefined();
    expect(JSON.stringify(schema)).not.toMatch(/"\$schema"|prefixItems|"default"/);
  });
});
