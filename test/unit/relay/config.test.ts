import { describe, expect, it } from 'vitest';
import { parseRelayConfig, RelayConfigError } from '../../../src/relay/index.js';
import { MAX_BATCH_BYTES } from '../../../src/relay/config-schema.js';

const base = {
  bindings: [{ name: 'orders', topic: '/default/orders', subscription: 'orders-sub', function: { type: 'local', module: './sink.js' } }],
};

describe('parseRelayConfig', () => {
  it('fills the documented defaults', () => {
    const { config } = parseRelayConfig(base);
    const b = config.bindings[0]!;
    expect(b).toMatchObject({
      batchSize: 100,
      maxBatchingWindowMs: 500,
      maxBatchBytes: MAX_BATCH_BYTES,
      maxConcurrency: 1,
      ordering: 'partition',
      maxRetryAttempts: 3,
      maxRecordAgeSeconds: -1,
      bisectOnError: false,
      // Left out: what the binding needs (a window for every batch in flight, an ack timeout past an invocation).
      subscription: { name: 'orders-sub', type: 'shared', ackTimeoutMs: 35_500, maxUnackedMessages: 100 },
      function: { type: 'local', module: './sink.js', export: 'sink', timeoutMs: 30000 },
    });
    // 6 MiB Lambda payload; base64 grows payloads by 4/3.
    expect(Math.ceil(MAX_BATCH_BYTES / 3) * 4).toBeLessThan(6_291_456);
  });

  it('takes a relay-level readiness grace, 2000 ms by default, within 0-600000', () => {
    expect(parseRelayConfig(base).config.readinessGraceMs).toBe(2000);
    expect(parseRelayConfig({ ...base, readinessGraceMs: 0 }).config.readinessGraceMs).toBe(0);
    expect(parseRelayConfig({ ...base, readinessGraceMs: 600_000 }).config.readinessGraceMs).toBe(600_000);
    expect(() => parseRelayConfig({ ...base, readinessGraceMs: -1 })).toThrow(/readinessGraceMs/);
    expect(() => parseRelayConfig({ ...base, readinessGraceMs: 600_001 })).toThrow(/readinessGraceMs/);
    expect(() => parseRelayConfig({ ...base, readinessGraceMs: 1.5 })).toThrow(/readinessGraceMs/);
    expect(() => parseRelayConfig({ ...base, readinessGraceMS: 0 })).toThrow(/readinessGraceMS: unknown key/);
  });

  it('reads YAML and substitutes ${ENV} placeholders', () => {
    const yaml = `
bindings:
  - name: hooks
    topic: /default/hooks
    subscription: { name: hooks, type: key-shared }
    function: { type: http, url: "http://127.0.0.1:8080/sink", secret: "\${SINK_SECRET}" }
    ordering: key
    filter: { attributes: { type: "order.*" } }
`;
    const { config } = parseRelayConfig(yaml, { env: { SINK_SECRET: 'a-very-long-secret-value' } });
    expect(config.bindings[0]!.function).toMatchObject({ type: 'http', secret: 'a-very-long-secret-value' });
    expect(() => parseRelayConfig(yaml, { env: {} })).toThrow(/SINK_SECRET is not set/);
  });

  it('names the binding and the field in errors, including unknown keys', () => {
    const bad = { bindings: [{ ...base.bindings[0], batchSize: 20000, batchSise: 3 }] };
    let err: unknown;
    try {
      parseRelayConfig(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RelayConfigError);
    expect((err as Error).message).toMatch(/binding "orders": batchSize/);
    expect((err as Error).message).toMatch(/binding "orders": batchSise: unknown key/);
    expect(() => parseRelayConfig({ bindings: [{ ...base.bindings[0], maxBatchBytes: MAX_BATCH_BYTES + 1 }] })).toThrow(/binding "orders": maxBatchBytes/);
    expect(() => parseRelayConfig({ bindings: [{ ...base.bindings[0], function: { type: 'http', url: 'http://x', secret: 'short' } }] })).toThrow(
      /binding "orders": function.secret/,
    );
  });

  it("signs HTTP invocations the relay's own way unless told to use Standard Webhooks, whose secrets are whsec_ keys", () => {
    const http = (fn: Record<string, unknown>) =>
      parseRelayConfig({ bindings: [{ ...base.bindings[0], function: { type: 'http', url: 'http://127.0.0.1:1/sink', ...fn } }] });
    expect(http({ secret: 'a-very-long-secret-value' }).config.bindings[0]!.function).toMatchObject({ signature: 'danube' });
    const key = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(http({ secret: key, signature: 'standard-webhooks' }).config.bindings[0]!.function).toMatchObject({ signature: 'standard-webhooks', secret: key });
    expect(() => http({ secret: 'a-very-long-secret-value', signature: 'standard-webhooks' })).toThrow(
      /binding "orders": function.secret: with signature standard-webhooks the secret must be written whsec_<base64 key>/,
    );
    expect(() => http({ secret: `whsec_${Buffer.alloc(16).toString('base64')}`, signature: 'standard-webhooks' })).toThrow(/24 to 64 bytes, got 16/);
    expect(() => http({ secret: key, signature: 'hmac' })).toThrow(/binding "orders": function.signature/);
    expect(() => http({ secret: key, signatures: 'danube' })).toThrow(/signatures: unknown key/);
  });

  it('refuses contradictions', () => {
    const b = base.bindings[0]!;
    expect(() => parseRelayConfig({ bindings: [b, b] })).toThrow(/same name/);
    expect(() => parseRelayConfig({ bindings: [{ ...b, deadLetterTopic: '/default/orders' }] })).toThrow(/deadLetterTopic: must differ/);
    expect(() => parseRelayConfig({ bindings: [{ ...b, maxRecordAgeSeconds: 60 }] })).toThrow(/maxRecordAgeSeconds: needs deadLetterTopic/);
    expect(() => parseRelayConfig({ bindings: [{ ...b, transform: ['nope'] }] }, { knownTransforms: ['mask'] })).toThrow(/unknown transform "nope"/);
    expect(() => parseRelayConfig('{ not json')).toThrow(RelayConfigError);
  });

  it('warns about an ack timeout shorter than the function timeout and a window too small for the batch', () => {
    const { warnings } = parseRelayConfig({
      bindings: [
        {
          ...base.bindings[0],
          deadLetterTopic: '/default/dlq',
          subscription: { name: 's', ackTimeoutMs: 1000, maxUnackedMessages: 10 },
          function: { type: 'local', module: 'm', timeoutMs: 5000 },
        },
      ],
    });
    expect(warnings.some((w) => /binding "orders": function.timeoutMs \(5000\) exceeds/.test(w))).toBe(true);
    expect(warnings.some((w) => /batchSize × maxConcurrency \(100 × 1\) exceeds the subscription's max_unacked_messages \(10\)/.test(w))).toBe(true);
    const quiet = parseRelayConfig({
      bindings: [{ ...base.bindings[0], deadLetterTopic: '/default/dlq', batchSize: 10 }],
    });
    expect(quiet.warnings).toEqual([]);
  });

  it('derives the window and the ack timeout a binding needs when they are left out, so the defaults never warn', () => {
    const { config, warnings } = parseRelayConfig({
      bindings: [
        { ...base.bindings[0], deadLetterTopic: '/default/dlq', batchSize: 50, maxConcurrency: 4, function: { type: 'local', module: 'm', timeoutMs: 60_000 } },
      ],
    });
    expect(config.bindings[0]!.subscription).toMatchObject({ maxUnackedMessages: 200, ackTimeoutMs: 65_500 });
    expect(warnings).toEqual([]);
    const big = parseRelayConfig({ bindings: [{ ...base.bindings[0], batchSize: 10_000, maxConcurrency: 5 }] });
    expect(big.config.bindings[0]!.subscription.maxUnackedMessages).toBe(10_000);
  });
});
