import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineSink, isSink, type Sink, type SinkHandler } from '../../sink/define.js';
import { runSink } from '../../sink/run.js';
import { InvokeError } from '../errors.js';
import { importUserModule } from './import-module.js';
import type { InvokeBatch, InvokeResult, Invoker } from './types.js';

export interface LocalInvokerOptions {
  /** A module path (relative to `baseDir`) or a package specifier. */
  module?: string;
  /** The export holding the sink (`defineSink(...)`) or a plain handler function. */
  export?: string;
  /** Where relative module paths start; the config file's folder, else the working directory. */
  baseDir?: string;
  timeoutMs: number;
  /** A sink given directly (from code), instead of a module to import. */
  sink?: Sink | SinkHandler;
}

/**
 * Runs a sink in this process (the default of local runs): imports the module once, then hands
 * each batch's records to `runSink` without any encoding. A failed outcome fails the batch;
 * records the sink marks `invalid` are dead-lettered by the relay.
 *
 * @example
 * const invoker = createLocalInvoker({ module: './functions/orders-sink.ts', export: 'sink', timeoutMs: 30_000 });
 */
export function createLocalInvoker(options: LocalInvokerOptions): Invoker {
  let loaded: Promise<Sink> | undefined;
  const load = (): Promise<Sink> => (loaded ??= loadSink(options));
  return {
    kind: 'local',
    remote: false,
    async invoke(batch: InvokeBatch): Promise<InvokeResult> {
      const sink = await load();
      const run = runSink(
        sink,
        { ...batch.meta, records: batch.records, undecodable: [] },
        {
          deadline: Math.min(batch.deadline, Date.now() + options.timeoutMs),
          signal: batch.signal,
          logger: batch.logger,
        },
      );
      // A handler that ignores its abort signal must not hold a shutdown past its drain timeout.
      const stop = abandoned(batch.signal);
      let outcome;
      try {
        outcome = await Promise.race([run, stop.promise]);
      } finally {
        stop.dispose();
      }
      if (outcome.status === 'failed') {
        const err = outcome.error;
        const timedOut = /deadline/.test(err?.message ?? '');
        throw new InvokeError(err?.message ?? 'sink failed', timedOut ? 'timeout' : 'function-error', err?.kind === 'fatal' ? 'fatal' : 'retryable', {
          cause: err,
        });
      }
      return { failures: outcome.failures };
    },
    // Importing is the check: a module that fails here fails every batch the same way.
    async check() {
      await load();
    },
    async close() {},
  };
}

function abandoned(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort = (): void => undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(new InvokeError('invocation abandoned: the relay is shutting down', 'timeout', 'retryable'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

async function loadSink(options: LocalInvokerOptions): Promise<Sink> {
  if (options.sink) return isSink(options.sink) ? options.sink : defineSink(options.sink);
  const spec = options.module;
  if (!spec) throw new InvokeError('local function: neither a module nor a sink was given', 'config', 'fatal');
  const isPath = spec.startsWith('.') || spec.startsWith('/') || isAbsolute(spec);
  const url = isPath ? pathToFileURL(resolve(options.baseDir ?? process.cwd(), spec)).href : spec;
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(url);
  } catch (err) {
    throw new InvokeError(`cannot import sink module ${spec}: ${(err as Error).message}`, 'config', 'fatal', { cause: err });
  }
  const name = options.export ?? 'sink';
  const value = mod[name] ?? (name === 'sink' ? mod.default : undefined);
  if (isSink(value)) return value;
  if (typeof value === 'function') return defineSink(value as SinkHandler);
  throw new InvokeError(`module ${spec} has no export "${name}" holding a sink or a function (exports: ${Object.keys(mod).join(', ')})`, 'config', 'fatal');
}
