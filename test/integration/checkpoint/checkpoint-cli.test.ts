// `danube-connect checkpoint get|set|reset` against dynalite.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbCheckpointStore } from '../../../src/checkpoint/index.js';
import { runCheckpoint } from '../../../src/cli/checkpoint-command.js';
import { createCheckpointTable, localDynamoClient, startDynalite, type LocalDynamo } from '../../support/dynamo.js';

let dynamo: LocalDynamo;
let store: DynamoDbCheckpointStore;
const TABLE = 'cli-checkpoints';

beforeAll(async () => {
  dynamo = await startDynalite();
  await createCheckpointTable(dynamo.endpoint, TABLE);
  store = new DynamoDbCheckpointStore({ tableName: TABLE, client: localDynamoClient(dynamo.endpoint) });
});
afterAll(async () => {
  await dynamo?.close();
});

/** Runs the command in this process and captures what it writes. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    const code = await runCheckpoint([...args, '--table', TABLE, '--endpoint', dynamo.endpoint, '--service', 'shop']);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('danube-connect checkpoint', () => {
  it('says when nothing is stored', async () => {
    const r = await cli('get', 'never');
    expect(r.code).toBe(1);
    expect(r.err).toBe(`no checkpoint stored for shop/never (table ${TABLE})\n`);
  });

  it('sets, reads and resets a checkpoint', async () => {
    const set = await cli('set', 'orders', '{"cursor":"2026-01-01T00:00:00Z","page":3}');
    expect(set.code).toBe(0);
    expect(set.err).toContain('checkpoint set for shop/orders: version 1');
    const get = await cli('get', 'orders');
    expect(JSON.parse(get.out)).toMatchObject({ key: 'shop/orders', checkpoint: { cursor: '2026-01-01T00:00:00Z', page: 3 }, version: '1', lease: null });
    expect((await store.get('shop/orders'))?.checkpoint).toEqual({ cursor: '2026-01-01T00:00:00Z', page: 3 });
    const reset = await cli('reset', 'orders');
    expect(reset.code).toBe(0);
    expect(JSON.parse(reset.out)).toMatchObject({ checkpoint: null, version: '2' });
  });

  it('refuses to change a checkpoint while a run holds the lease, unless forced', async () => {
    const lease = await store.acquireLease('shop/busy', { owner: 'lambda:fn:req-1', ttlMs: 60_000 });
    const refused = await cli('set', 'busy', '42');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('refused: checkpoint shop/busy is leased by lambda:fn:req-1 until');
    expect(refused.err).toContain('--force');
    expect((await cli('reset', 'busy')).code).toBe(1);
    const get = await cli('get', 'busy');
    expect(JSON.parse(get.out).lease).toMatchObject({ owner: 'lambda:fn:req-1', live: true });

    const forced = await cli('set', 'busy', '42', '--force');
    expect(forced.code).toBe(0);
    expect(forced.err).toContain('the run of lambda:fn:req-1 can no longer commit');
    // The run that held the lease is fenced out: its commit fails, the operator's value stays.
    await expect(store.commit(lease, 7)).rejects.toMatchObject({ name: 'FencedError', reason: 'version-changed' });
    expect((await store.get('shop/busy'))?.checkpoint).toBe(42);
  });

  it('rejects a value that is not JSON and a missing name', async () => {
    const bad = await cli('set', 'orders', '{cursor:1}');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('the checkpoint must be JSON');
    expect((await cli('get')).code).toBe(2);
  });

  it('is a registered command of danube-connect', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['bin/danube-connect.mjs', 'checkpoint', 'get', 'orders', '--service', 'shop', '--table', TABLE], {
      env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_ACCESS_KEY_ID: '', AWS_PROFILE: '' },
    });
    expect(JSON.parse(stdout)).toMatchObject({ key: 'shop/orders', version: '2' });
  });
});
