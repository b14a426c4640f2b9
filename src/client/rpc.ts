import type { ClientUnaryCall, ServiceError } from '@grpc/grpc-js';
import type { Deadline } from './backoff.js';

type Callback<Res> = (error: ServiceError | null, response: Res) => void;

/**
 * Runs one unary gRPC call as a promise. Used for control-plane calls (lookup, create, subscribe,
 * registry); the send and ack hot paths call the stubs directly.
 *
 * @example
 * const res = await unary<TopicLookupResponse>((cb) => conn.discovery.topicLookup(req, md, { deadline }, cb));
 */
export function unary<Res>(start: (callback: Callback<Res>) => ClientUnaryCall): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    start((error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** The gRPC deadline for one attempt: never past the operation's own deadline. */
export function callDeadline(deadline: Deadline, perCallMs?: number): Date {
  const at = perCallMs === undefined ? deadline.at : Math.min(deadline.at, Date.now() + perCallMs);
  return new Date(at);
}
