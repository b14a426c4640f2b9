// Every public function that takes options refuses a misspelled key at once, naming the key and
// the function (and the key it was probably meant to be), instead of ignoring it.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { startRelay } from '../../../src/relay/relay.js';
import { queueSink } from '../../../src/runtime/cloudflare/queue.js';
import { lambdaSink } from '../../../src/runtime/lambda/sink.js';
import { lambdaSource } from '../../../src/runtime/lambda/source.js';
import { scheduledSource } from '../../../src/runtime/scheduled/source.js';
import { defineSink } from '../../../src/sink/define.js';
import { forEachRecord } from '../../../src/sink/for-each.js';
import { defineSource } from '../../../src/source/define-source.js';

const sink = defineSink(async () => undefined);
const source = defineSource({ name: 's', topic: '/default/t', poll: async () => ({ records: [], checkpoint: 0, done: true }) });

function refusal(call: () => unknown): ConfigError {
  try {
    call();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('the options were accepted');
}

describe('misspelled option keys', () => {
  const cases: Array<[string, () => unknown, string, string]> = [
    ['lambdaSink', () => lambdaSink(sink, { loger: console } as never), 'loger', 'logger'],
    ['lambdaSource', () => lambdaSource(source, { leasMs: 1000 } as never), 'leasMs', 'leaseMs'],
    ['queueSink', () => queueSink(sink, { retryDelaySecond: 5 } as never), 'retryDelaySecond', 'retryDelaySeconds'],
    ['scheduledSource', () => scheduledSource(source, { budgetMS: 1000 } as never), 'budgetMS', 'budgetMs'],
    ['defineSink', () => defineSink(async () => undefined, { nmae: 'x' } as never), 'nmae', 'name'],
    ['forEachRecord', () => forEachRecord(async () => undefined, { concurency: 2 } as never), 'concurency', 'concurrency'],
    [
      'defineSource',
      () => defineSource({ name: 's', topic: '/default/t', poll: async () => ({ records: [], done: true }), orderng: 'key' } as never),
      'orderng',
      'ordering',
    ],
  ];
  for (const [fn, call, key, meant] of cases) {
    it(`${fn} names "${key}" and suggests "${meant}"`, () => {
      const err = refusal(call);
      expect(err.message).toContain(key);
      expect(err.message).toContain(`did you mean "${meant}"`);
      expect(err.keys).toContain(key);
      if (fn !== 'defineSink' && fn !== 'defineSource') expect(err.message).toContain(`${fn} options`);
    });
  }

  it('startRelay names the key before it connects anywhere', async () => {
    const err = await startRelay({ bindings: [] }, { sink: {} } as never).then(
      () => undefined,
      (e: unknown) => e as ConfigError,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/startRelay options: sink: unknown key \(did you mean "sinks"\?\)/);
  });

  it('a wrong value is named too', () => {
    expect(refusal(() => queueSink(sink, { retryDelaySeconds: -1 })).message).toMatch(/queueSink options: retryDelaySeconds: must be an integer/);
  });
});
