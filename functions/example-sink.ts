// The example sink: appends each order as one JSON line to a file (EXAMPLE_SINK_FILE), in order
// per customer. A record that is not an order (the example source breaks every tenth one) is an
// invalid record: the relay dead-letters it and the rest of the batch goes on.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { defineSink, forEachRecord, InvalidRecordError } from 'danube-connect-serverless';
import { lambdaSink } from 'danube-connect-serverless/lambda';

const file = process.env.EXAMPLE_SINK_FILE ?? '/tmp/danube-example-sink.jsonl';
let ready: Promise<unknown> | undefined;

export const sink = defineSink(
  forEachRecord(
    async (record) => {
      const order = record.json<{ orderId?: string }>(); // not JSON → InvalidRecordError
      if (!order.orderId || record.attributes['x-example'] === 'bad') throw new InvalidRecordError('not an order', { record });
      await (ready ??= mkdir(dirname(file), { recursive: true }));
      await appendFile(file, `${JSON.stringify({ id: record.id, customer: record.routingKey, order })}\n`);
    },
    { ordered: true, concurrency: 4 },
  ),
  { name: 'example-orders-sink' },
);

export const handler = lambdaSink(sink);
