// The small part of the Cloudflare Workers runtime the sink adapters use, typed structurally so
// that no Workers type package is needed and tests can pass plain objects.

/** Options of `message.retry()` / `batch.retryAll()`. */
export interface QueueRetryOptions {
  delaySeconds?: number;
}

/** One message of a Cloudflare Queues batch. */
export interface QueueMessageLike<Body = unknown> {
  readonly id: string;
  readonly timestamp: Date;
  readonly body: Body;
  readonly attempts: number;
  ack(): void;
  retry(options?: QueueRetryOptions): void;
}

/** The batch a Cloudflare Queues consumer receives. */
export interface MessageBatchLike<Body = unknown> {
  readonly queue: string;
  readonly messages: readonly QueueMessageLike<Body>[];
  ackAll(): void;
  retryAll(options?: QueueRetryOptions): void;
}

/** A value, or a function of the Worker's `env` that returns it (secrets live in `env`). */
export type FromEnv<T, Env> = T | ((env: Env) => T);

export function fromEnv<T, Env>(value: FromEnv<T, Env>, env: Env): T {
  return typeof value === 'function' ? (value as (env: Env) => T)(env) : value;
}
