import { describe, expect, it } from 'vitest';
import { renderStatus, statusLogLines, withInputs, type BindingView, type DevStatus } from '../../../src/dev/status.js';

const binding = (over: Partial<BindingView> = {}): BindingView => ({
  name: 'orders-wh',
  topic: '/default/orders',
  subscription: 'wh',
  state: 'running',
  received: 12,
  acked: 9,
  inFlight: 0,
  retries: 474,
  deadLettered: 1,
  lag: 3,
  oldestUnackedAgeMs: 24_000,
  throughput: 0,
  ...over,
});

const status = (over: Partial<DevStatus> = {}): DevStatus => ({
  uptimeMs: 42_000,
  brokerUrl: 'http://127.0.0.1:6650',
  dynamoDbEndpoint: 'http://127.0.0.1:8000',
  sources: [
    {
      function: 'orders',
      schedules: ['rate(1 minute)'],
      running: false,
      runs: 3,
      skipped: 0,
      records: 30,
      deadLettered: 0,
      errors: 1,
      lastError: 'ECONNREFUSED 127.0.0.1:5432',
      lastErrorAt: 40_000,
    },
  ],
  bindings: [binding({ lastError: 'batch failed: the warehouse API answered 503', lastErrorAt: 57_000, errorCount: 474 })],
  deadLetters: [{ topic: '/default/orders-dlq', count: 1, onTopic: 5, lastReason: 'retries-exhausted', lastOrigin: 'relay:orders-wh' }],
  disabled: [{ function: 'postgresCdc', reason: 'PG_URL is not set' }],
  warnings: ['binding "orders-wh": no deadLetterTopic'],
  files: [],
  ...over,
});

describe('the dev status view', () => {
  it('shows last errors with when and how often, the keys, since-start counts beside the broker’s total, each disabled function once', () => {
    const text = renderStatus(status(), 60_000, 100).join('\n');
    expect(text).toContain('keys: 1-9 run that source now · a run all sources · q quit');
    expect(text).toContain('   ↳ last error 20s ago ECONNREFUSED 127.0.0.1:5432');
    expect(text).toContain('   ↳ last error 3s ago (×474) batch failed: the warehouse API answered 503');
    expect(text).toMatch(/\/default\/orders-dlq +1 +5 +retries-exhausted +relay:orders-wh/);
    expect(text).toContain('WARNINGS\nbinding "orders-wh": no deadLetterTopic');
    expect(text.match(/postgresCdc/g)).toHaveLength(1);
    for (const line of renderStatus(status({ bindings: [binding({ lastError: 'x'.repeat(500) })] }), 60_000, 100)) {
      if (line.includes('↳')) expect(line.length).toBeLessThanOrEqual(100);
    }
  });

  it('calls a running binding idle when only disabled sources publish to its topic', () => {
    const feeders = new Map([
      ['/default/orders', { enabled: [], disabled: ['postgresPoll'] }],
      ['/default/other', { enabled: ['a'], disabled: ['b'] }],
    ]);
    const [idle, other, unknown] = withInputs([binding(), binding({ topic: '/default/other' }), binding({ topic: '/default/free' })], feeders);
    expect(idle).toMatchObject({ state: 'idle', note: 'only disabled sources publish to /default/orders (postgresPoll)' });
    expect(other!.state).toBe('running');
    expect(unknown!.state).toBe('running');
    expect(withInputs([binding({ state: 'unavailable' })], feeders)[0]!.state).toBe('unavailable');
  });

  it('prints the last error in the headless log lines', () => {
    const lines = statusLogLines(status());
    expect(lines[1]).toMatch(/last-error="batch failed: the warehouse API answered 503" last-error-at=1970-01-01T00:00:57.000Z error-count=474/);
    expect(lines[2]).toBe('[dev] dead-letter /default/orders-dlq: records=1 on-topic=5 last-reason=retries-exhausted');
  });
});
