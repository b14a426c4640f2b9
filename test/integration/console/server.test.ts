// The console's HTTP server over a real socket on 127.0.0.1: the page and its assets, the JSON
// API, the event stream, and the rules around actions (token, read-only mode, Host).
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../../../src/checkpoint/memory-store.js';
import type { BackendSnapshot, ConsoleBackend } from '../../../src/console/backend.js';
import { storeCheckpointAccess } from '../../../src/console/checkpoints.js';
import { ASSETS_DIR } from '../../../src/console/http.js';
import { startConsoleServer, type ConsoleServer } from '../../../src/console/server.js';
import type { DeadLetterRecord } from '../../../src/dlq/types.js';
import { fakeDeadLetter, fakeDeadLetterTopic } from '../../support/fake-dead-letters.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: any;
}

function call(server: ConsoleServer, method: string, path: string, options: { body?: unknown; token?: string; host?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method,
        timeout: 5000,
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { 'x-console-token': options.token } : {}),
          ...(options.host ? { host: options.host } : {}),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

const snapshot: BackendSnapshot = {
  at: 0,
  broker: 'http://127.0.0.1:6650',
  problems: [],
  sources: [
    {
      function: 'exampleSource',
      source: 'example-orders',
      topic: '/default/orders',
      schedules: ['rate(1 minute)'],
      running: false,
      runs: 1,
      records: 10,
      deadLettered: 0,
      errors: 0,
      recentRuns: [],
    },
  ],
  bindings: [
    {
      name: 'exampleSink-orders',
      topic: '/default/orders',
      subscription: 'orders-example',
      function: { kind: 'local', name: 'exampleSink' },
      deadLetterTopic: '/default/orders-dlq',
      state: 'running',
      received: 10,
      acked: 10,
      failed: 1,
      inFlight: 0,
      retries: 0,
      deadLettered: 1,
      backlog: 0,
      oldestUnackedAgeMs: 0,
      recordsPerSecond: 0,
    },
  ],
  disabled: [{ name: 'postgresSink', kind: 'function', reason: 'PG_URL is not set' }],
  deadLetterTopics: [{ topic: '/default/orders-dlq', count: 2 }],
};

let server: ConsoleServer | undefined;
let runs: string[];
let delivered: DeadLetterRecord[];
let store: MemoryCheckpointStore;

async function start(options: { readOnly?: boolean } = {}) {
  runs = [];
  delivered = [];
  store = new MemoryCheckpointStore();
  const records = [
    fakeDeadLetter('/default/orders-dlq', 1, 'invalid-record', 'relay:exampleSink-orders', '{"orderId":"order-10","cu'),
    fakeDeadLetter('/default/orders-dlq', 2, 'retries-exhausted', 'relay:exampleSink-orders', '{"orderId":"order-12"}'),
  ];
  const dlq = fakeDeadLetterTopic('/default/orders-dlq', records, async (r) => {
    delivered.push(r);
  });
  const backend: ConsoleBackend = {
    mode: 'dev',
    snapshot: async () => ({ ...snapshot, at: Date.now() }),
    runNow: async (name) => {
      runs.push(name);
      return { function: name };
    },
    checkpoints: storeCheckpointAccess(
      () => store,
      (name) => (name === 'exampleSource' ? 'danube-connect/example-orders' : undefined),
    ),
    deadLetters: () => dlq,
    close: async () => undefined,
  };
  server = await startConsoleServer(backend, { port: 0, sampleIntervalMs: 200, ...options });
  return server;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the console server', () => {
  it('serves the page and its assets from the package, with a policy that allows nothing from elsewhere', async () => {
    const s = await start();
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await call(s, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="/assets/app.js">');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    for (const asset of ['app.js', 'console.css', 'pipeline.js', 'dead-letters.js', 'charts.js']) {
      expect((await call(s, 'GET', `/assets/${asset}`)).status, asset).toBe(200);
    }
    expect((await call(s, 'GET', '/assets/../server.ts')).status).toBe(404);
    // Small, and nothing fetched from elsewhere: no URL outside this server in the page's files.
    let bytes = 0;
    for (const f of readdirSync(ASSETS_DIR)) {
      const text = readFileSync(join(ASSETS_DIR, f), 'utf8');
      bytes += text.length;
      expect(text.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, ''), f).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    }
    expect(bytes).toBeLessThan(300_000);
    expect(page.body).not.toContain(s.token);
  });

  it('answers the snapshot with the graph, and refuses requests addressed to another host name', async () => {
    const s = await start();
    const snap = (await call(s, 'GET', '/api/snapshot')).json;
    expect(snap.mode).toBe('dev');
    expect(snap.actions).toEqual({ runNow: true, checkpoints: true, redrive: true });
    expect(snap.graph.nodes.map((n: { id: string }) => n.id)).toEqual(
      expect.arrayContaining([
        'source:exampleSource',
        'topic:/default/orders',
        'binding:exampleSink-orders',
        'function:exampleSink',
        'dlq:/default/orders-dlq',
      ]),
    );
    expect(snap.graph.nodes.find((n: { id: string }) => n.id === 'function:postgresSink')).toMatchObject({ state: 'disabled', note: 'PG_URL is not set' });
    const rebound = await call(s, 'GET', '/api/snapshot', { host: 'evil.example:80' });
    expect(rebound.status).toBe(421);
  });

  it('refuses every action without the token, and with a wrong one', async () => {
    const s = await start();
    const actions: Array<[string, unknown]> = [
      ['/api/sources/exampleSource/run', {}],
      ['/api/sources/exampleSource/checkpoint', { checkpoint: { seq: 0 } }],
      ['/api/sources/exampleSource/checkpoint/reset', {}],
      ['/api/dead-letters/redrive', { topic: '/default/orders-dlq', ids: ['/default/orders-dlq@1'] }],
    ];
    for (const [path, body] of actions) {
      for (const token of [undefined, 'not-the-token-at-all']) {
        const answer = await call(s, 'POST', path, { body, ...(token ? { token } : {}) });
        expect(answer.status, `${path} ${token}`).toBe(401);
        expect(answer.json.error).toMatch(/token/);
      }
    }
    expect(runs).toEqual([]);
    expect(delivered).toEqual([]);
    expect(await store.get('danube-connect/example-orders')).toBeUndefined();
    expect((await call(s, 'GET', '/api/session', { token: 'wrong-token-wrong-token' })).json.tokenAccepted).toBe(false);
    expect((await call(s, 'GET', '/api/session', { token: s.token })).json.tokenAccepted).toBe(true);
  });

  it('with the token, runs a source and sets a checkpoint under the lease rules', async () => {
    const s = await start();
    expect((await call(s, 'POST', '/api/sources/exampleSource/run', { body: {}, token: s.token })).status).toBe(200);
    expect(runs).toEqual(['exampleSource']);

    const set = await call(s, 'POST', '/api/sources/exampleSource/checkpoint', { body: { checkpoint: { seq: 40 } }, token: s.token });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ key: 'danube-connect/example-orders', stored: true, checkpoint: { seq: 40 }, version: '1' });

    // A run holds the lease: refused, as the CLI refuses it, unless forced.
    await store.acquireLease('danube-connect/example-orders', { owner: 'run-7' });
    const refused = await call(s, 'POST', '/api/sources/exampleSource/checkpoint/reset', { body: {}, token: s.token });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatch(/leased by run-7/);
    const forced = await call(s, 'POST', '/api/sources/exampleSource/checkpoint/reset', { body: { force: true }, token: s.token });
    expect(forced.status).toBe(200);
    expect(forced.json).toMatchObject({ stored: true, checkpoint: null, lease: { owner: 'run-7', live: true } });
    expect((await call(s, 'GET', '/api/sources/nope/checkpoint')).status).toBe(404);
  });

  it('lists dead letters by reason and redrives the selected ones, reporting progress on the event stream', async () => {
    const s = await start();
    const invalid = (await call(s, 'GET', '/api/dead-letters?topic=%2Fdefault%2Forders-dlq&reasons=invalid-record')).json;
    expect(invalid.summary).toMatchObject({ total: 2, byReason: { 'invalid-record': 1, 'retries-exhausted': 1 } });
    expect(invalid.records.map((r: { id: string }) => r.id)).toEqual(['/default/orders-dlq@1']);
    expect(invalid.records[0]).toMatchObject({ offset: '1', envelope: { reason: 'invalid-record', originalOffset: '10' }, preview: { kind: 'text' } });
    expect(invalid.records[0].payload).toBeUndefined();
    expect((await call(s, 'GET', '/api/dead-letters?topic=%2Fdefault%2Fother')).status).toBe(404);

    const events = await fetch(`${s.url}/api/events`);
    const reader = events.body!.getReader();
    const job = await call(s, 'POST', '/api/dead-letters/redrive', { body: { topic: '/default/orders-dlq', ids: ['/default/orders-dlq@1'] }, token: s.token });
    expect(job.status).toBe(202);
    let text = '';
    const deadline = Date.now() + 5000;
    while (!/"state":"done"/.test(text) && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toMatch(/event: snapshot/);
    expect(text).toMatch(/event: job\ndata: \{[^\n]*"state":"done"[^\n]*"sent":1/);
    expect(delivered.map((r) => r.id)).toEqual(['/default/orders-dlq@1']);
  });

  it('in read-only mode offers no action and refuses them even with the token', async () => {
    const s = await start({ readOnly: true });
    const session = (await call(s, 'GET', '/api/session', { token: s.token })).json;
    expect(session).toMatchObject({ readOnly: true, actions: { runNow: false, checkpoints: false, redrive: false } });
    const answer = await call(s, 'POST', '/api/sources/exampleSource/run', { body: {}, token: s.token });
    expect(answer.status).toBe(403);
    expect(runs).toEqual([]);
    // Reading stays possible.
    expect((await call(s, 'GET', '/api/sources/exampleSource/checkpoint')).status).toBe(200);
    expect((await call(s, 'GET', '/api/dead-letters?topic=%2Fdefault%2Forders-dlq')).status).toBe(200);
  });

  it('rejects unknown options, naming them', async () => {
    await expect(startConsoleServer({ mode: 'dev', snapshot: async () => snapshot, close: async () => undefined }, { prot: 1 } as never)).rejects.toThrow(
      /prot: unknown key/,
    );
  });
});
