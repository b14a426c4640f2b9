import { TopicLookupResponse_LookupType, type TopicLookupResponse, type TopicPartitionsResponse } from '../generated/danube/DanubeApi.js';
import type { Deadline } from './backoff.js';
import type { ClientContext } from './context.js';
import { DanubeError, Status, toDanubeError } from './errors.js';
import { callDeadline, unary } from './rpc.js';
import { partitionsOf } from './topic.js';

/** Where a topic is served, as TopicLookup answered. */
export interface BrokerAddress {
  /** The broker that owns the topic. */
  brokerUrl: string;
  /** The address to dial (a proxy when `proxy` is true). */
  connectUrl: string;
  /** When true, every call carries `x-danube-broker-url: <brokerUrl>`. */
  proxy: boolean;
}

let lookupRequestId = 0n;

/**
 * TopicLookup sent to `via` (the broker currently used, initially the service URL). Connect and
 * Redirect are handled alike: one hop, as the Rust client does. A `Failed` answer (which real
 * brokers never send) becomes an error.
 */
export async function lookupTopic(ctx: ClientContext, topic: string, via: string, deadline: Deadline): Promise<BrokerAddress> {
  const connection = ctx.pool.get(via);
  const metadata = await ctx.auth.metadata();
  let response: TopicLookupResponse;
  try {
    response = await unary<TopicLookupResponse>((cb) =>
      connection.discovery.topicLookup({ requestId: ++lookupRequestId, topic }, metadata, { deadline: callDeadline(deadline) }, cb),
    );
  } catch (err) {
    throw toDanubeError(err, 'topic lookup', topic);
  }
  if (response.responseType === TopicLookupResponse_LookupType.Failed) {
    throw new DanubeError(`topic lookup on ${topic} failed: the broker answered "Failed"`, { topic, code: Status.UNAVAILABLE });
  }
  const brokerUrl = response.brokerUrl || response.connectUrl;
  const connectUrl = response.connectUrl || response.brokerUrl;
  if (!connectUrl) throw new DanubeError(`topic lookup on ${topic} returned no broker URL`, { topic, code: Status.INTERNAL });
  return { brokerUrl, connectUrl, proxy: response.proxy };
}

/**
 * Looks the topic up on the broker in use and, when that broker does not answer, on the service
 * URL: after a broker dies, the cluster behind the service URL can still say where the topic went.
 * Returns undefined when both fail (the caller keeps its address); throws only on credentials errors.
 */
export async function relookup(ctx: ClientContext, topic: string, current: string, deadline: Deadline): Promise<BrokerAddress | undefined> {
  const service = ctx.options.serviceUrl;
  for (const via of current === service ? [service] : [current, service]) {
    try {
      return await lookupTopic(ctx, topic, via, deadline);
    } catch (err) {
      // Like the Rust client, a failed lookup keeps the current address; only credentials that
      // every later call would fail with too are worth stopping for.
      if (err instanceof DanubeError && (err.code === Status.UNAUTHENTICATED || err.code === Status.PERMISSION_DENIED)) throw err;
      ctx.logger.debug({ topic, via, err: (err as Error).message }, 'topic lookup failed');
    }
  }
  return undefined;
}

/**
 * The partition topics of `topic` (`/ns/t-part-0..N-1`, in index order), `[topic]` for a plain
 * topic, or `[]` when the broker knows neither.
 */
export async function topicPartitions(ctx: ClientContext, topic: string, deadline: Deadline): Promise<string[]> {
  const connection = ctx.pool.get(ctx.options.serviceUrl);
  const metadata = await ctx.auth.metadata();
  try {
    const response = await unary<TopicPartitionsResponse>((cb) =>
      connection.discovery.topicPartitions({ requestId: ++lookupRequestId, topic }, metadata, { deadline: callDeadline(deadline) }, cb),
    );
    return partitionsOf(topic, response.partitions);
  } catch (err) {
    throw toDanubeError(err, 'topic partitions', topic);
  }
}
