// The example sink as it would be after a fix: it refuses an order it cannot parse (as the example
// sink does) until a file `<EXAMPLE_SINK_FILE>.fixed` exists; from then on it keeps such an order
// as raw text for a person to look at. The console test swaps it in for functions/example-sink.ts.
import { existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { defineSink, forEachRecord, InvalidRecordError } from 'danube-connect-serverless';
import { lambdaSink } from 'danube-connect-serverless/lambda';

const file = process.env.EXAMPLE_SINK_FILE ?? '/tmp/danube-example-sink.jsonl';

export const sink = defineSink(
  forEachRecord(
    async (record) => {
      let order: { orderId?: string };
      try {
        order = record.json<{ orderId?: string }>();
      } catch (err) {
        if (!existsSync(`${file}.fixed`)) throw new InvalidRecordError('not an order', { record, cause: err });
        await appendFile(file, `${JSON.stringify({ id: record.id, customer: record.routingKey, raw: record.text(), repaired: true })}\n`);
        return;
      }
      await appendFile(file, `${JSON.stringify({ id: record.id, customer: record.routingKey, order })}\n`);
    },
    { ordered: true, concurrency: 4 },
  ),
  { name: 'example-orders-sink' },
);

export const handler = lambdaSink(sink);
