// The relay with tracing on vs off (bench/support/relay-tracing.ts), on the broker child of
// relay.bench.ts; `npm run bench relay` runs both modules.
import { fileURLToPath } from 'node:url';
import { DanubeClient } from '../src/client/index.js';
import { silentLogger } from '../src/core/logger.js';
import { command, relayThroughput, startChild } from './relay.bench.js';
import { relayTracingRows } from './support/relay-tracing.js';
import type { Bench } from './types.js';

const relayBench = fileURLToPath(new URL('./relay.bench.ts', import.meta.url));

const bench: Bench = async ({ quick }) => {
  const broker = startChild(['bin/run-ts.mjs', relayBench, '--child=broker']);
  const url = (await broker.next(/listening on/)).split(' ').pop()!;
  const client = new DanubeClient({ serviceUrl: url, logger: silentLogger });
  let seq = 0;
  try {
    return await relayTracingRows({
      quick,
      newTopic: async () => {
        const topic = `/default/relay-trace-${process.pid}-${seq++}`;
        await command(broker, `topic ${topic}`, /^ok$/);
        return topic;
      },
      fillTraced: (topic, n) => command(broker, `filltraced ${topic} ${n}`, /^filled/),
      relayThroughput: (topic, total, ready, invoker) => relayThroughput(client, topic, total, ready, invoker),
    });
  } finally {
    await client.close();
    broker.child.stdin!.end();
    broker.child.kill('SIGTERM');
  }
};

export default bench;
