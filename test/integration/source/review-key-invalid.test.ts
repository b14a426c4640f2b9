// A source keeping per-key order (`ordering: 'key'`): when the topic refuses one record as
// invalid, only that record goes to the dead-letter topic; the key's later, valid records are
// still published to the topic. Embedded broker over real gRPC, real DanubeClient, dynalite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceRecord, InvalidRecordError } from '../../../src/core/index.js';
import { defineSource, runSource, type SourceClient, type SourceProducer } from '../../../src/source/index.js';
import { startDynalite } from '../../support/dynamo.js';
import { drain, FAST_RETRY, itemOf, setup, watch, type Env } from './helpers.js';

describe('runSource with ordering "key" and an invalid record', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup(startDynalite);
  });
  afterAll(async () => env?.close());

  it('dead-letters only the refused record, not the later records of its key', async () => {
    const main = await watch(env.client, '/default/keyed-invalid');
    const dlq = await watch(env.client, '/default/keyed-invalid-dlq');
    // The real client, except that the main topic refuses item 0 as invalid (what a topic with a
    // payload rule does); nothing else here can make the broker refuse exactly one record.
    const client: SourceClient = {
      async createProducer(options) {
        const real = await env.client.createProducer(options);
        if (options.topic !== '/default/keyed-invalid') return real;
        const refusing: SourceProducer = {
          async send(payload, opts) {
            if (JSON.parse(Buffer.from(payload as Uint8Array).toString()).item === 0) throw new InvalidRecordError('item 0 breaks the topic rule');
            return real.send(payload, opts);
          },
          flush: () => real.flush(),
          close: () => real.close(),
        };
        return refusing;
      },
    };
    const source = defineSource<number>({
      name: 'keyed-invalid',
      topic: '/default/keyed-invalid',
      ordering: 'key',
      deadLetterTopic: '/default/keyed-invalid-dlq',
      initialCheckpoint: 0,
      retry: FAST_RETRY,
      async poll() {
        // All four share one key: 0 is refused, 1..3 are fine.
        const records = [0, 1, 2, 3].map((item) => SourceRecord.fromJson({ item }, { key: 'same' }));
        return { records, checkpoint: 4, done: true };
      },
    });
    const summary = await runSource(source, { client, store: env.store, budgetMs: 10_000, service: 'review' });
    expect((await drain(dlq, 1)).map(itemOf)).toEqual([0]);
    expect((await drain(main, 3)).map(itemOf)).toEqual([1, 2, 3]);
    expect(summary).toMatchObject({ recordsPublished: 3, recordsDeadLettered: 1, checkpointAfter: 4 });
  });
});
