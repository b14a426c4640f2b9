import { describe, expect, it } from 'vitest';
import { booleanRule, checkOptions, ConfigError, intRule, numberRule, stringRule } from '../../../src/core/index.js';
import { parseForEachRecordOptions } from '../../../src/sink/for-each.js';
import { parseSinkOptions } from '../../../src/sink/define.js';

const rules = { size: intRule(10, 1, 100), ratio: numberRule(0.5, 0), on: booleanRule(true), name: stringRule('x') };

describe('checkOptions', () => {
  it('fills defaults and keeps given values', () => {
    expect(checkOptions({ size: 3 }, rules, 'thing')).toEqual({ size: 3, ratio: 0.5, on: true, name: 'x' });
    expect(checkOptions(undefined, rules, 'thing').size).toBe(10);
  });

  it('names every unknown or wrong key in one ConfigError', () => {
    try {
      checkOptions({ sise: 3, size: 0, on: 'yes' }, rules, 'thing');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toBe(
        'invalid thing: sise: unknown key (did you mean "size"?); size: must be an integer from 1 to 100; on: must be true or false',
      );
      expect((err as ConfigError).keys).toEqual(['sise', 'size', 'on']);
    }
  });

  it('backs the sink and forEachRecord options', () => {
    expect(parseSinkOptions({}).deadlineMarginMs).toBe(500);
    expect(() => parseSinkOptions({ transforms: ['passthrough'] } as never)).toThrow(/transforms: must be an array of functions/);
    expect(parseForEachRecordOptions({ concurrency: 4 })).toEqual({ concurrency: 4, ordered: true });
    expect(() => parseForEachRecordOptions({ concurency: 4 } as never)).toThrow(/concurency: unknown key/);
  });
});
