import { AbortedError, Status } from './errors.js';

/** The error an aborted operation rejects with: code `CANCELLED`, the abort reason as `cause`. */
export function abortedError(signal: AbortSignal, operation: string, topic?: string, note = ''): AbortedError {
  return new AbortedError(`${operation}${topic ? ` on ${topic}` : ''} aborted by the caller's signal${note}`, {
    code: Status.CANCELLED,
    topic,
    retryable: false,
    cause: signal.reason,
  });
}

/**
 * Runs `run` so that `signal` can cut it short: an already-aborted signal rejects without calling
 * `run`; an abort meanwhile rejects at once, and `run` (handed the same signal, so its retries
 * stop) is left to wind down: whatever it still produces is handed to `discard` (e.g. a producer
 * created just after the abort is closed again). The abort listener is removed when the call settles.
 */
export function withAbort<T>(
  signal: AbortSignal | undefined,
  operation: string,
  topic: string | undefined,
  run: (signal: AbortSignal | undefined) => Promise<T>,
  discard: (value: T) => void,
): Promise<T> {
  if (!signal) return run(undefined);
  if (signal.aborted) return Promise.reject(abortedError(signal, operation, topic));
  return new Promise<T>((resolve, reject) => {
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      reject(abortedError(signal, operation, topic));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    run(signal).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (aborted) discard(value);
        else resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // After an abort the inner failure (usually a cut-short retry) is of no interest.
        if (!aborted) reject(err);
      },
    );
  });
}
