// `concurrency` bounds the requests of one sink instance, also when the relay runs several
// batches of a binding at once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSink } from '../../../../src/connectors/http-sink/sink.js';
import { encodeSinkBatch } from '../../../../src/sink/event.js';
import { runSink } from '../../../../src/sink/run.js';

let server: Server;
let url: string;
let open = 0;
let peak = 0;
let served = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    open++;
    peak = Math.max(peak, open);
    req.resume();
    // Held briefly so that requests overlap whenever the sink lets them.
    req.on('end', () =>
      setTimeout(() => {
        open--;
        served++;
        res.writeHead(204).end();
      }, 15),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
);

const batch = (from: number, n: number) =>
  encodeSinkBatch(
    Array.from({ length: n }, (_, i) => ({
      topic: '/default/orders-part-0',
      offset: BigInt(from + i),
      publishTime: 1_763_800_000_000,
      producerName: 'p',
      attributes: {},
      payload: new TextEncoder().encode(`{"n":${from + i}}`),
    })),
    { binding: 'b', topic: '/default/orders', subscription: 's' },
  );

describe('http sink concurrency', () => {
  it('keeps at most `concurrency` requests in flight across invocations running at once', async () => {
    const sink = httpSink({ url, concurrency: 3 });
    const outcomes = await Promise.all([runSink(sink, batch(0, 12)), runSink(sink, batch(100, 12))]);
    expect(outcomes.map((o) => o.status)).toEqual(['success', 'success']);
    expect(served).toBe(24);
    expect(peak).toBe(3);
  });
});
