// The settings helper every deployable handler reads its environment through: what a user sees
// when a variable is missing, empty or holds broken JSON.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { findJsonSyntaxProblem } from '../../../functions/json-syntax.js';
import { fromSettings, int, list, need, needJson, optional, optionalJson, parseJsonVariable } from '../../../functions/env.js';

function failure(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('need / optional', () => {
  it('names a missing or empty variable and says what it should hold', () => {
    expect(need({ PG_URL: 'postgres://x' }, 'PG_URL')).toBe('postgres://x');
    expect(failure(() => need({}, 'PG_URL')).message).toBe('PG_URL is not set');
    const err = failure(() => need({ PG_URL: '  ' }, 'PG_URL', 'the PostgreSQL connection string'));
    expect(err.message).toBe('PG_URL is not set: the PostgreSQL connection string');
    expect(err.keys).toEqual(['PG_URL']);
  });

  it('leaves an unset or empty optional variable out, so option defaults apply', () => {
    expect(optional({ N: '' }, 'N', int)).toBeUndefined();
    expect(optional({}, 'N', int)).toBeUndefined();
    expect(optional({ N: '42' }, 'N', int)).toBe(42);
    expect(optional({ L: 'a, b,,c' }, 'L', list)).toEqual(['a', 'b', 'c']);
  });
});

describe('JSON settings', () => {
  it('says a required JSON variable is not set, with what it should hold', () => {
    for (const env of [{}, { MQTT_CONFIG: '' }]) {
      expect(failure(() => needJson(env, 'MQTT_CONFIG', 'a JSON object with "routes"')).message).toBe('MQTT_CONFIG is not set: a JSON object with "routes"');
    }
  });

  it('points at the place where the JSON goes wrong (line and column)', () => {
    const cases: Array<[string, string]> = [
      ['{"name": "x",}', 'expected a property name in double quotes, found "}" at line 1, column 14'],
      ['{"name": "x"', 'expected "," or "}", the text ends at line 1, column 13'],
      ["{'name': 'x'}", `expected a property name in double quotes, found "'" at line 1, column 2`],
      ['{\n  "routes": [\n    {"filter": "a"}\n    {"filter": "b"}\n  ]\n}', 'expected "," or "]", found "{" at line 4, column 5'],
      ['{"a": "line\nbreak"}', 'a line break or control character inside a string (write it as \\n) at line 1, column 12'],
      ['{"a": 01}', 'expected "," or "}", found "1" at line 1, column 8'],
      ['{"a": tru}', 'expected a value (object, array, string in double quotes, number, true, false or null), found "t" at line 1, column 7'],
      ['{} x', 'unexpected text after the end of the JSON value, found "x" at line 1, column 4'],
    ];
    for (const [text, where] of cases) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(failure(() => parseJsonVariable('MQTT_CONFIG', text)).message, text).toBe(`MQTT_CONFIG is not valid JSON: ${where}`);
    }
  });

  it('never repeats the text around the mistake, which may hold a secret', () => {
    const text = '{"auth": {"type": "hmac", "secret": "hunter2-very-secret"} "routes": []}';
    const err = failure(() => parseJsonVariable('WEBHOOK_CONFIG', text));
    expect(err.message).toBe('WEBHOOK_CONFIG is not valid JSON: expected "," or "}", found "\\"" at line 1, column 60');
    expect(JSON.stringify({ message: err.message, cause: String(err.cause) })).not.toContain('hunter2');
  });

  it('accepts every valid JSON text the scanner sees', () => {
    for (const text of ['{}', '[]', ' {"a": [1, -2.5e+3, true, false, null, "\\u00e9\\n"], "b": {}} ', '"x"', '0']) {
      expect(findJsonSyntaxProblem(text), text).toBeUndefined();
    }
  });

  it('wants the right kind of JSON value', () => {
    expect(failure(() => parseJsonVariable('BRIDGE_CONFIG', '[]')).message).toBe('BRIDGE_CONFIG must hold a JSON object, not an array');
    expect(failure(() => parseJsonVariable('BRIDGE_CONFIG', 'null')).message).toBe('BRIDGE_CONFIG must hold a JSON object, not null');
    expect(failure(() => parseJsonVariable('PG_SINK_COLUMNS', '{}', 'array')).message).toBe('PG_SINK_COLUMNS must hold a JSON array, not an object');
    expect(parseJsonVariable('PG_SINK_COLUMNS', '[{"column":"id"}]', 'array')).toEqual([{ column: 'id' }]);
  });

  it('treats an unset or empty optional JSON variable as absent', () => {
    expect(optionalJson({ HTTP_SINK_CONFIG: '' }, 'HTTP_SINK_CONFIG')).toBeUndefined();
    expect(optionalJson({}, 'HTTP_SINK_CONFIG')).toBeUndefined();
    expect(optionalJson({ HTTP_SINK_CONFIG: '{"concurrency":2}' }, 'HTTP_SINK_CONFIG')).toEqual({ concurrency: 2 });
    expect(failure(() => optionalJson({ HTTP_SINK_CONFIG: '{concurrency:2}' }, 'HTTP_SINK_CONFIG')).message).toMatch(
      /^HTTP_SINK_CONFIG is not valid JSON: .* at line 1, column 2$/,
    );
  });
});

describe('fromSettings', () => {
  it('prefixes an option error with the variables the options came from', () => {
    const err = failure(() =>
      fromSettings(['HTTP_SINK_URL', 'HTTP_SINK_CONFIG'], () => {
        throw new ConfigError('invalid http-sink options: url: Invalid URL', ['url']);
      }),
    );
    expect(err.message).toBe('HTTP_SINK_URL / HTTP_SINK_CONFIG: invalid http-sink options: url: Invalid URL');
    expect(err.keys).toEqual(['url']);
    expect(err.cause).toBeInstanceOf(ConfigError);
    expect(() =>
      fromSettings(['X'], () => {
        throw new TypeError('boom');
      }),
    ).toThrow(TypeError);
    expect(fromSettings(['X'], () => 7)).toBe(7);
  });
});
