// The deploy-time provisioning step as CloudFormation drives it: a custom resource request, and
// the answer PUT to its pre-signed URL (a local HTTP server here).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { silentLogger } from '../../../src/core/logger.js';
import { handleProvisionResource, type ProvisionResourceEvent } from '../../../src/serverless/provision-resource.js';

let broker: Broker;
let server: Server;
let responseUrl: string;
const answers: Array<{ contentType: string | undefined; body: Record<string, any> }> = [];

beforeAll(async () => {
  broker = await startBroker({ port: 0 });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      answers.push({ contentType: req.headers['content-type'], body: JSON.parse(body) });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await broker.close();
});

const relayConfig = JSON.stringify({
  bindings: [
    {
      name: 'orders-pg',
      topic: '/default/cfn-orders',
      partitions: 2,
      subscription: 'orders-pg',
      deadLetterTopic: '/default/cfn-orders-dlq',
      batchSize: 50,
      function: { type: 'lambda', name: 'svc-dev-sink', timeoutMs: 20_000 },
    },
  ],
});
const event = (type: ProvisionResourceEvent['RequestType'], config = relayConfig): ProvisionResourceEvent => ({
  RequestType: type,
  ResponseURL: responseUrl,
  StackId: 'arn:stack',
  RequestId: `req-${answers.length}`,
  LogicalResourceId: 'DanubeProvision',
  ResourceProperties: { RelayConfig: config },
});

describe('the provisioning custom resource', () => {
  it('Create: provisions, then answers SUCCESS to CloudFormation', async () => {
    const env = { DANUBE_SERVICE_URL: broker.url, DANUBE_ADMIN_URL: broker.adminUrl };
    const report = await handleProvisionResource(event('Create'), { env, logger: silentLogger, remainingMs: () => 60_000 });
    expect(report?.topics[0]).toMatchObject({
      topic: '/default/cfn-orders',
      created: true,
      subscriptions: [{ created: true, maxUnackedMessages: 50, ackTimeoutMs: 30_000 }],
    });
    expect(broker.admin.listTopics()).toEqual(expect.arrayContaining(['/default/cfn-orders-part-0', '/default/cfn-orders-part-1', '/default/cfn-orders-dlq']));
    const answer = answers.at(-1)!;
    expect(answer.contentType).toBe('');
    expect(answer.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'danube-provision-DanubeProvision',
      StackId: 'arn:stack',
      LogicalResourceId: 'DanubeProvision',
      Data: { Topics: '1', Subscriptions: '1' },
    });
  });

  it('Delete: answers SUCCESS and keeps the topics', async () => {
    await handleProvisionResource(event('Delete'), { env: {}, logger: silentLogger, remainingMs: () => 60_000 });
    expect(answers.at(-1)!.body.Status).toBe('SUCCESS');
    expect(broker.admin.listTopics()).toContain('/default/cfn-orders-part-0');
  });

  it('answers FAILED, naming the cause, before the function would time out', async () => {
    const env = { DANUBE_SERVICE_URL: broker.url, DANUBE_ADMIN_URL: 'http://127.0.0.1:9' };
    const started = Date.now();
    await handleProvisionResource(event('Update'), { env, logger: silentLogger, remainingMs: () => 8_000 });
    expect(Date.now() - started).toBeLessThan(8_000);
    const answer = answers.at(-1)!.body;
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/^Danube provisioning failed: .*(cannot reach the Danube admin API at http:\/\/127\.0\.0\.1:9|did not finish)/);
    await handleProvisionResource(event('Create', '{"bindings": []}'), { env, logger: silentLogger, remainingMs: () => 8_000 });
    expect(answers.at(-1)!.body.Reason).toMatch(/bindings/);
  });
});
