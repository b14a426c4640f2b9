// The relay's cost of tracing, side by side in one run: the relay with no tracer provider
// registered against the same relay with an OpenTelemetry SDK registered (batch span processor,
// an exporter that drops everything), on the same kind of backlog in which every record carries
// a creation context of its own (a trace per record: the most links per batch), alternating
// which goes first, several rounds, medians. Two set-ups, as `danube-connect` starts them:
// - the function out of process (Lambda, HTTP; here an invoker that answers at once): the SDK
//   without a context manager, since the relay passes every parent explicitly;
// - an in-process sink (`npm start`, `local` bindings): the SDK with Node's AsyncLocalStorage
//   context manager, so that the sink's own work nests under its span; that manager's async hook
//   costs every promise of the process something.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { Invoker } from '../../src/relay/index.js';
import type { BenchRow } from '../types.js';
import { cpuRows, newRounds, record, type CpuRounds, type Measured } from './cpu.js';

/** What the relay bench lends: a topic on its broker child, a traced backlog, and a measured relay run. */
export interface RelayTracingDeps {
  quick: boolean;
  newTopic(): Promise<string>;
  /** Writes `n` messages, each with a `traceparent` attribute of its own trace, into `topic`. */
  fillTraced(topic: string, n: number): Promise<void>;
  /**
   * Subscribes, waits for `ready`, then measures a relay reading `total` messages until all are
   * acked; with an in-process no-op sink, or with `invoker` when given.
   */
  relayThroughput(topic: string, total: number, ready: () => boolean, invoker?: Invoker): Promise<Measured<unknown>>;
}

const noopExporter: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => undefined,
};

/** A function that answers every batch at once: what the relay sees of a remote function, minus the network. */
const answeringInvoker: Invoker = { kind: 'lambda', remote: true, invoke: async () => ({ failures: [] }), close: async () => undefined };

function enableTracing(asyncContext: boolean): () => Promise<void> {
  const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: noopExporter })] });
  if (asyncContext) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  };
}

type SetUp = 'remote' | 'local';

export async function relayTracingRows(deps: RelayTracingDeps): Promise<BenchRow[]> {
  const total = deps.quick ? 2_000 : 8_000;
  const rounds = deps.quick ? 2 : 7;
  const sides: Record<SetUp, { off: CpuRounds; on: CpuRounds }> = {
    remote: { off: newRounds(), on: newRounds() },
    local: { off: newRounds(), on: newRounds() },
  };
  const one = async (setUp: SetUp, traced: boolean, n: number) => {
    const topic = await deps.newTopic();
    const filled = { done: false };
    const disable = traced ? enableTracing(setUp === 'local') : undefined;
    try {
      const run = deps.relayThroughput(topic, n, () => filled.done, setUp === 'remote' ? answeringInvoker : undefined);
      await new Promise((r) => setTimeout(r, 500)); // the relay's subscription exists
      await deps.fillTraced(topic, n);
      filled.done = true;
      return await run;
    } finally {
      await disable?.();
    }
  };
  for (let r = 0; r < rounds + 1; r++) {
    const n = r === 0 ? 1_000 : total; // round 0 only warms up (JIT, the API's first load)
    for (const setUp of ['remote', 'local'] as const) {
      // Which one reads first alternates by round, so neither always meets a fresher broker.
      const order = r % 2 === 1 ? [false, true] : [true, false];
      const measured = new Map<boolean, Measured<unknown>>();
      for (const traced of order) measured.set(traced, await one(setUp, traced, n));
      if (r === 0) continue;
      record(sides[setUp].off, measured.get(false)!, n);
      record(sides[setUp].on, measured.get(true)!, n);
    }
  }
  const backlog = `${total.toLocaleString('en')} waiting messages per round, each with a traceparent of its own (a relay span with 100 links, and receive, invoke and ack spans per batch of 100); baseline: no tracer provider registered`;
  // Within 15%: at most 1.15× the CPU per message, at least 1/1.15 (0.87×) the messages per second.
  return [
    ...cpuRows(
      'relay: tracing on vs off, function out of process (SDK without context manager, no-op exporter)',
      sides.remote.off,
      sides.remote.on,
      1.15,
      `Node ${process.versions.node}; an invoker answering at once; ${backlog}`,
      0.87,
    ),
    ...cpuRows(
      'relay: tracing on vs off, in-process sink (SDK with AsyncLocalStorage context manager, no-op exporter)',
      sides.local.off,
      sides.local.on,
      1.15,
      `Node ${process.versions.node}; in-process no-op sink (plus its process span); ${backlog}`,
      0.87,
    ),
  ];
}
