// The admin commands (`topics`, `subscriptions`, `namespaces`, `brokers`) as a user runs them,
// against an embedded 2-broker cluster over its admin port.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBrokerToken, startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/danube-connect.mjs', ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

let broker: Broker;
let env: Record<string, string>;
let client: DanubeClient;
beforeAll(async () => {
  broker = await startBroker({ port: 0, brokers: 2 });
  env = { DANUBE_ADMIN_URL: broker.adminUrls[1]! };
  client = new DanubeClient({ serviceUrl: broker.url, connectTimeoutMs: 5_000, healthCheckIntervalMs: 200, retry: { baseBackoffMs: 20, maxBackoffMs: 200 } });
});
afterAll(async () => {
  await client.close();
  await broker.close();
});

describe('danube-connect topics / subscriptions / namespaces / brokers', () => {
  it('creates a partitioned reliable topic, lists it, and sets and reads a subscription’s settings (--json)', async () => {
    const created = await cli(['topics', 'create', '/default/cli-orders', '--partitions', '2', '--dispatch', 'reliable', '--json'], env);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(created.stdout)).toEqual({ topic: '/default/cli-orders', partitions: 2, dispatch: 'reliable' });
    const [listed, set] = await Promise.all([
      cli(['topics', 'list', 'default', '--json'], env),
      cli(['subscriptions', 'set', '/default/cli-orders-part-0', 'relay', '--max-unacked', '50', '--ack-timeout-ms', '60000'], env),
    ]);
    const topics = JSON.parse(listed.stdout) as Array<{ name: string; dispatch: string; brokerId: string }>;
    expect(topics.map((t) => t.name)).toEqual(['/default/cli-orders-part-0', '/default/cli-orders-part-1']);
    expect(topics.every((t) => t.dispatch === 'reliable' && /^\d+$/.test(t.brokerId))).toBe(true);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('maxUnackedMessages     50');
    const got = JSON.parse((await cli(['subscriptions', 'get', '/default/cli-orders-part-0', 'relay', '--json'], env)).stdout);
    expect(got).toMatchObject({ maxUnackedMessages: 50, policy: { ackTimeoutMs: 60_000, poisonPolicy: 'block' } });
    // The base name of a partitioned topic sets every partition.
    const all = await cli(['subscriptions', 'set', '/default/cli-orders', 'audit', '--max-unacked', '7', '--json'], env);
    expect(JSON.parse(all.stdout)).toMatchObject({ partitions: ['/default/cli-orders-part-0', '/default/cli-orders-part-1'], maxUnackedMessages: 7 });
  });

  it('unloads a topic to the other broker while a producer and a consumer keep working', async () => {
    const topic = '/default/cli-live';
    const producer = await client.createProducer({ topic, name: 'live-producer', dispatch: 'reliable' });
    const consumer = await client.subscribe({ topic, subscription: 'live', consumerName: 'live-consumer', type: 'exclusive' });
    const received: string[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const m = await consumer.receive({ timeoutMs: 100 });
        if (!m) continue;
        received.push(Buffer.from(m.payload).toString());
        await consumer.ack(m);
      }
    })();
    let sent = 0;
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) await producer.send(`m${sent++}`);
    };
    await send(10);
    const unloaded = await cli(['topics', 'unload', topic, '--json'], env);
    expect(unloaded.code).toBe(0);
    const { from, to } = JSON.parse(unloaded.stdout) as { from: string; to: string };
    expect(to).not.toBe(from);
    await send(10);
    const until = Date.now() + 20_000;
    while (received.length < 20 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    reading = false;
    await reader;
    expect(received).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    const described = await cli(['topics', 'describe', topic], env);
    expect(described.stdout).toContain(`broker         ${to}`);
    expect(described.stdout).toContain('subscriptions  live');
  });

  it('namespaces and brokers', async () => {
    const [created, brokers] = await Promise.all([cli(['namespaces', 'create', 'shop'], env), cli(['brokers', 'list', '--json'], env)]);
    expect(created.stdout).toBe('created namespace shop\n');
    expect((JSON.parse(brokers.stdout) as Array<{ url: string }>).map((b) => b.url)).toEqual(broker.urls);
    expect(JSON.parse((await cli(['namespaces', 'list', '--json'], env)).stdout)).toEqual([{ name: 'default' }, { name: 'shop' }]);
  });

  it('says what is wrong in one line, without a stack trace, with exit codes 1 (failure) and 2 (usage)', async () => {
    const [dup, unreachable, usage, badFlag, badValue] = await Promise.all([
      cli(['topics', 'create', '/default/cli-orders'], env),
      cli(['topics', 'list', 'default', '--admin-url', 'http://127.0.0.1:9'], env),
      cli(['topics', 'frobnicate'], env),
      cli(['topics', 'create', '/default/x', '--partitons', '2'], env),
      cli(['topics', 'create', '/default/x', '--dispatch', 'sometimes'], env),
    ]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(
      /^danube-connect topics: CreateTopic failed \(NOT_FOUND\): Unable to create the topic \/default\/cli-orders due to status: AlreadyExists/,
    );
    expect(unreachable.stderr).toContain('cannot reach the Danube admin API at http://127.0.0.1:9');
    for (const r of [dup, unreachable, badFlag, badValue]) {
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown command "frobnicate"');
    expect(badFlag.stderr).toContain("'--partitons'");
    expect(badValue.stderr).toContain('--dispatch must be one of reliable, non-reliable, got "sometimes"');
  });

  it('provision: creates what a relay configuration needs, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provision-cli-'));
    try {
      const file = join(dir, 'relay.json');
      writeFileSync(
        file,
        JSON.stringify({
          bindings: [{ name: 'cli-b', topic: '/default/cli-provisioned', partitions: 2, subscription: 'cli-sub', function: { type: 'local', module: 'm' } }],
        }),
      );
      const penv = { ...env, DANUBE_SERVICE_URL: broker.url };
      const first = await cli(['provision', '--config', file], penv);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain('/default/cli-provisioned: created (reliable, 2 partitions)');
      expect(first.stdout).toContain('subscription cli-sub (binding cli-b): created; maxUnackedMessages 100, ackTimeoutMs 35500');
      const again = JSON.parse((await cli(['provision', '--config', file, '--json'], penv)).stdout);
      expect(again.topics[0]).toMatchObject({ created: false, subscriptions: [{ created: false }] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends the token: refused without it, served with a super admin’s', async () => {
    const secured = await startBroker({ port: 0, auth: { jwtSecret: 's3cret', superAdmins: ['ops'] } });
    try {
      const url = { DANUBE_ADMIN_URL: secured.adminUrl };
      const [anon, ops] = await Promise.all([
        cli(['namespaces', 'list'], url),
        cli(['namespaces', 'list', '--json'], { ...url, DANUBE_ADMIN_TOKEN: signBrokerToken('s3cret', { sub: 'ops' }) }),
      ]);
      expect(anon.code).toBe(1);
      expect(anon.stderr).toContain('UNAUTHENTICATED');
      expect(JSON.parse(ops.stdout)).toEqual([{ name: 'default' }]);
    } finally {
      await secured.close();
    }
  });
});
