// A source run's throughput against the Producer alone, side by side in this run:
// - records/s of a synthetic source (batches of BATCH records, a conditional checkpoint commit to
//   dynalite after every batch, lease taken and released) vs a pipelined Producer sending the same
//   records in the same batches with nothing in between. Target: the source keeps ≥ 0.8× of it.
// - the checkpoint's cost per batch: the measured mean of one commit (ms) vs the time the Producer
//   alone needs for one batch's worth of records. Target: a commit costs ≤ 1/4 of a batch.
// The broker runs in its own process (as it would on another machine); dynalite runs in this
// process, as it does in local runs.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';
import { DynamoDbCheckpointStore, ensureCheckpointTable, type Lease } from '../src/checkpoint/index.js';
import { DanubeClient } from '../src/client/index.js';
import { SourceRecord } from '../src/core/index.js';
import { defineSource, runSource } from '../src/source/index.js';
import { startBrokerProcess } from './support/broker-process.js';
import { row, type Bench } from './types.js';

const BATCH = 500;

/** Deterministic order-like records; the same list feeds both sides. */
function makeRecords(total: number): SourceRecord[] {
  return Array.from({ length: total }, (_, i) =>
    SourceRecord.fromJson({ orderId: `order-${i}`, customerId: `customer-${i % 97}`, quantity: 1 + (i % 5), totalCents: 1299 + i, currency: 'EUR' }),
  );
}

/** A DynamoDB store that times its commits. */
class TimedStore extends DynamoDbCheckpointStore {
  commitMs: number[] = [];
  override async commit<C>(lease: Lease<C>, checkpoint: C, ttlMs?: number): Promise<Lease<C>> {
    const t0 = performance.now();
    try {
      return await super.commit(lease, checkpoint, ttlMs);
    } finally {
      this.commitMs.push(performance.now() - t0);
    }
  }
}

const bench: Bench = async ({ quick }) => {
  const total = quick ? 2_500 : 10_000;
  const rounds = quick ? 1 : 2;
  const records = makeRecords(total);
  const { url, child } = await startBrokerProcess();
  const ddb = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => ddb.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(ddb.address() as AddressInfo).port}`;
  const dynamo = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureCheckpointTable(dynamo, 'bench-checkpoints');
  const store = new TimedStore({ tableName: 'bench-checkpoints', client: dynamo });
  const client = new DanubeClient({ serviceUrl: url });

  const producerAlone = async (round: number, count = total): Promise<number> => {
    const producer = await client.createProducer({
      topic: `/default/bench-producer-${round}`,
      name: 'bench-producer',
      mode: 'pipelined',
      dispatch: 'reliable',
    });
    const t0 = performance.now();
    // The same batches a source run sends (all of a batch at once, the next when the broker
    // accepted them), without poll, record ids and checkpoint commits.
    for (let from = 0; from < count; from += BATCH) {
      await Promise.all(records.slice(from, Math.min(count, from + BATCH)).map((r) => producer.send(r.payload, { attributes: r.attributes })));
    }
    await producer.flush();
    const rate = count / ((performance.now() - t0) / 1000);
    await producer.close();
    return rate;
  };

  const sourceRun = async (round: number, count = total): Promise<number> => {
    const source = defineSource<number>({
      name: `bench-source-${round}`,
      topic: `/default/bench-source-${round}`,
      ordering: 'none',
      initialCheckpoint: 0,
      async poll({ checkpoint }) {
        const from = checkpoint ?? 0;
        const to = Math.min(count, from + BATCH);
        return { records: records.slice(from, to), checkpoint: to, done: to >= count };
      },
    });
    const t0 = performance.now();
    const summary = await runSource(source, { client, store, budgetMs: 600_000, service: 'bench' });
    const rate = summary.recordsPublished / ((performance.now() - t0) / 1000);
    if (summary.recordsPublished !== count) throw new Error(`source published ${summary.recordsPublished} of ${count}`);
    return rate;
  };

  try {
    // Warm-up: connections, JIT, topic creation paths.
    await producerAlone(-1, 2 * BATCH);
    await sourceRun(-1, 2 * BATCH);
    store.commitMs = [];
    const producerRates: number[] = [];
    const sourceRates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      producerRates.push(await producerAlone(round));
      sourceRates.push(await sourceRun(round));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const producerRate = median(producerRates);
    const sourceRate = median(sourceRates);
    const commitMs = store.commitMs.reduce((a, b) => a + b, 0) / store.commitMs.length;
    const batchMs = (BATCH / producerRate) * 1000;
    return [
      row({
        name: `source: records/s, commit every ${BATCH} records (dynalite) vs Producer alone`,
        unit: 'records/s',
        baseline: Math.round(producerRate),
        value: Math.round(sourceRate),
        target: 0.8,
      }),
      row({
        name: `source: checkpoint commit per batch vs Producer time for ${BATCH} records`,
        unit: 'ms',
        baseline: Math.round(batchMs * 100) / 100,
        value: Math.round(commitMs * 100) / 100,
        target: 4,
        lowerIsBetter: true,
      }),
    ];
  } finally {
    await client.close();
    store.close();
    await new Promise<void>((resolve) => ddb.close(() => resolve()));
    child.kill('SIGTERM');
  }
};

export default bench;
