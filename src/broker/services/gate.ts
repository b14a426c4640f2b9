import type { handleUnaryCall, Metadata, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { JwtAuthenticator } from '../auth.js';
import { toStatus, type RpcStatus } from '../errors.js';
import type { Faults, RpcName } from '../faults.js';
import type { BrokerState } from '../state.js';

/** What a service handler knows about the broker it runs on. */
export interface NodeContext {
  readonly index: number;
  readonly state: BrokerState;
  readonly auth: JwtAuthenticator | null;
  readonly faults: Faults;
  /** This broker's URL (`http://host:port` or `https://…` with TLS). */
  url(): string;
  urlOf(index: number): string;
  /** The proxy's URL when the cluster sits behind one. */
  proxyUrl(): string | undefined;
}

/**
 * Wraps a synchronous handler: the gate, then the handler, whose thrown RpcStatus
 * becomes the call's status. Nothing is allocated when no fault is armed.
 */
export function unary<Req, Res>(
  ctx: NodeContext,
  rpc: RpcName,
  handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Res,
): handleUnaryCall<Req, Res> {
  const run = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    let response: Res;
    try {
      response = handler(call.request, call);
    } catch (err) {
      callback(toStatus(err));
      return;
    }
    callback(null, response);
  };
  return (call, callback) => {
    if (ctx.auth === null && !ctx.faults.armed) {
      run(call, callback);
      return;
    }
    const verdict = gateWithFault(ctx, rpc, call.metadata);
    if (verdict === undefined) run(call, callback);
    else if (typeof verdict === 'number') setTimeout(() => run(call, callback), verdict).unref();
    else if (verdict.delayMs > 0) setTimeout(() => callback(verdict.error), verdict.delayMs).unref();
    else callback(verdict.error);
  };
}

/** Like {@link gate}, keeping a delayed failure's delay and status apart. */
export function gateWithFault(
  ctx: NodeContext,
  rpc: RpcName,
  metadata: Metadata,
): undefined | number | { error: RpcStatus; delayMs: number } {
  if (ctx.auth) {
    const denied = ctx.auth.check(metadata);
    if (denied) return { error: denied, delayMs: 0 };
  }
  if (!ctx.faults.armed) return undefined;
  const { error, delayMs } = ctx.faults.take(rpc, ctx.index);
  if (error) return { error, delayMs };
  return delayMs > 0 ? delayMs : undefined;
}
