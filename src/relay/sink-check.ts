// Before a binding starts, its function is checked as far as that is possible without side
// effects (see `Invoker.check`): a binding that cannot deliver says so at once, in the log and on
// /readyz, instead of failing every batch while the relay answers ready.
import type { Logger } from '../core/logger.js';
import type { BindingHealth } from './binding-health.js';
import { InvokeError } from './errors.js';
import type { Invoker } from './invokers/types.js';

/** How long one check may take before the relay starts without its answer. */
export const SINK_CHECK_TIMEOUT_MS = 10_000;
/** How often a remote function that failed its check is checked again. */
export const SINK_RECHECK_MS = 30_000;

export interface CheckedBinding {
  name: string;
  invoker: Invoker;
  health: BindingHealth;
}

/** One binding's check: undefined when it passed (or could not tell), else what is wrong. */
export async function checkFunction(invoker: Invoker, signal?: AbortSignal): Promise<string | undefined> {
  if (!invoker.check) return undefined;
  try {
    await invoker.check(signal);
    return undefined;
  } catch (err) {
    return err instanceof InvokeError && err.reason === 'config' ? err.message : undefined;
  }
}

/**
 * Checks every binding's function at once. A local module that cannot be used stays so until
 * the relay restarts (the binding does not subscribe); a remote one may be fixed meanwhile (a
 * deployment, a permission), so it is checked again every {@link SINK_RECHECK_MS} until it passes
 * or an invocation succeeds. Returns a stop function for those checks.
 */
export async function checkFunctions(bindings: readonly CheckedBinding[], logger: Logger): Promise<() => void> {
  const signal = AbortSignal.timeout(SINK_CHECK_TIMEOUT_MS);
  await Promise.all(
    bindings.map(async (b) => {
      const problem = await checkFunction(b.invoker, signal);
      if (problem !== undefined) b.health.sinkUnavailable(problem, !b.invoker.remote);
    }),
  );
  const timer = setInterval(() => {
    for (const b of bindings) {
      if (!b.invoker.remote || !b.health.sinkProblem) continue;
      void checkFunction(b.invoker, AbortSignal.timeout(SINK_CHECK_TIMEOUT_MS)).then((problem) => {
        if (problem === undefined && b.health.sinkProblem) {
          logger.info({ binding: b.name }, 'the function can be invoked again');
          b.health.functionWorks();
        }
      });
    }
  }, SINK_RECHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
