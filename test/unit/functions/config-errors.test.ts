// Each deployable handler loaded the way Lambda (and `npm start`) loads it, with its settings
// variable unset, empty, malformed or invalid: the cold start fails with a message naming the
// variable to fix. Nothing here reaches a network: a failed load opens no connection.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const HANDLERS = ['http-poller', 'mqtt', 'webhook', 'bridge'] as const;
type Handler = (typeof HANDLERS)[number] | 'dynamodb-sink' | 'http-sink' | 'postgres-sink';

async function load(name: Handler): Promise<Record<string, unknown>> {
  return import(`../../../functions/${name}.ts`) as Promise<Record<string, unknown>>;
}

async function loadError(name: Handler): Promise<string> {
  try {
    await load(name);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`functions/${name}.ts loaded`);
}

const VARIABLE: Record<(typeof HANDLERS)[number], string> = {
  'http-poller': 'HTTP_POLLER_CONFIG',
  mqtt: 'MQTT_CONFIG',
  webhook: 'WEBHOOK_CONFIG',
  bridge: 'BRIDGE_CONFIG',
};

beforeEach(() => {
  vi.resetModules();
  vi.stubEnv('DANUBE_SERVICE_URL', 'http://127.0.0.1:9');
  for (const name of [...Object.values(VARIABLE), 'DYNAMODB_SINK_CONFIG', 'DYNAMODB_SINK_TABLE', 'HTTP_SINK_CONFIG', 'HTTP_SINK_URL'])
    vi.stubEnv(name, undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('a source or bridge handler without its JSON settings', () => {
  for (const handler of HANDLERS) {
    const variable = VARIABLE[handler];
    it(`functions/${handler}.ts names ${variable} when it is unset or empty`, async () => {
      const unset = await loadError(handler);
      expect(unset).toMatch(new RegExp(`^${variable} is not set: a JSON object with "`));
      expect(unset).toContain(`docs/connectors/${handler}.md`);
      vi.resetModules();
      vi.stubEnv(variable, '');
      expect(await loadError(handler)).toBe(unset);
    });

    it(`functions/${handler}.ts says where ${variable} is not valid JSON`, async () => {
      vi.stubEnv(variable, '{"name": "x",\n "url": }');
      expect(await loadError(handler)).toBe(
        `${variable} is not valid JSON: expected a value (object, array, string in double quotes, number, true, false or null), found "}" at line 2, column 9`,
      );
    });

    it(`functions/${handler}.ts names ${variable} and the option that is wrong`, async () => {
      vi.stubEnv(variable, '{"nmae": "typo"}');
      const message = await loadError(handler);
      expect(message).toMatch(new RegExp(`^${variable}: invalid .*options: `));
      expect(message).toContain('nmae: unknown key');
    });
  }
});

describe('sink handlers whose JSON settings are optional', () => {
  it('functions/dynamodb-sink.ts starts with DYNAMODB_SINK_TABLE alone, and names it when missing', async () => {
    vi.stubEnv('DYNAMODB_SINK_TABLE', 'orders');
    vi.stubEnv('DYNAMODB_SINK_CONFIG', '');
    expect(typeof (await load('dynamodb-sink')).handler).toBe('function');
    vi.resetModules();
    vi.stubEnv('DYNAMODB_SINK_TABLE', '');
    expect(await loadError('dynamodb-sink')).toBe(
      'DYNAMODB_SINK_TABLE is not set: the name of the DynamoDB table to write to (or "table" in DYNAMODB_SINK_CONFIG)',
    );
    vi.resetModules();
    vi.stubEnv('DYNAMODB_SINK_TABLE', 'orders');
    vi.stubEnv('DYNAMODB_SINK_CONFIG', '{"attributes": {"pk": "$.id"}');
    expect(await loadError('dynamodb-sink')).toBe('DYNAMODB_SINK_CONFIG is not valid JSON: expected "," or "}", the text ends at line 1, column 30');
  });

  it('functions/http-sink.ts names HTTP_SINK_URL when missing and HTTP_SINK_CONFIG when broken', async () => {
    vi.stubEnv('HTTP_SINK_URL', '');
    vi.stubEnv('HTTP_SINK_CONFIG', '');
    expect(await loadError('http-sink')).toBe('HTTP_SINK_URL is not set: the URL records are sent to (or "url" in HTTP_SINK_CONFIG)');
    vi.resetModules();
    vi.stubEnv('HTTP_SINK_URL', 'http://127.0.0.1:9/hook');
    expect(typeof (await load('http-sink')).handler).toBe('function');
    vi.resetModules();
    vi.stubEnv('HTTP_SINK_CONFIG', '{concurrency: 2}');
    expect(await loadError('http-sink')).toBe('HTTP_SINK_CONFIG is not valid JSON: expected a property name in double quotes, found "c" at line 1, column 2');
    vi.resetModules();
    vi.stubEnv('HTTP_SINK_URL', 'not a url');
    vi.stubEnv('HTTP_SINK_CONFIG', '');
    expect(await loadError('http-sink')).toMatch(/^HTTP_SINK_URL \/ HTTP_SINK_CONFIG: invalid http-sink options: url: /);
  });

  it('functions/postgres-sink.ts names PG_URL and a broken PG_SINK_COLUMNS', async () => {
    vi.stubEnv('PG_URL', '');
    expect(await loadError('postgres-sink')).toBe('PG_URL is not set');
    vi.resetModules();
    vi.stubEnv('PG_URL', 'postgres://127.0.0.1:9/db');
    vi.stubEnv('PG_SINK_TABLE', 'orders');
    vi.stubEnv('PG_SINK_COLUMNS', '[{"column": "id", "from": "$.id"},]');
    expect(await loadError('postgres-sink')).toBe(
      'PG_SINK_COLUMNS is not valid JSON: expected a value (object, array, string in double quotes, number, true, false or null), found "]" at line 1, column 35',
    );
  });
});
