import type { handleUnaryCall, Metadata, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { JwtAuthenticator } from '../auth.js';
import { permissionDenied, RpcStatus, toStatus } from '../errors.js';
import type { Faults, RpcName } from '../faults.js';
import type { Permission, Resource } from '../rbac.js';
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

/** The permission an RPC needs on what its request names (checked only with authentication on). */
export type Authorize<Req> = (request: Req) => [Permission, Resource];

/**
 * Wraps a synchronous handler: authentication, authorization, faults, then the handler,
 * whose thrown RpcStatus becomes the call's status. Nothing is allocated when neither
 * authentication nor a fault is armed.
 */
export function unary<Req, Res>(
  ctx: NodeContext,
  rpc: RpcName,
  handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Res,
  authorize?: Authorize<Req>,
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
    const verdict = gateWithFault(ctx, rpc, call.metadata, authorize && (() => authorize(call.request)));
    if (verdict === undefined) run(call, callback);
    else if (typeof verdict === 'number') setTimeout(() => run(call, callback), verdict).unref();
    else if (verdict.delayMs > 0) setTimeout(() => callback(verdict.error), verdict.delayMs).unref();
    else callback(verdict.error);
  };
}

/**
 * Authentication (UNAUTHENTICATED), then RBAC (PERMISSION_DENIED "no binding grants …"),
 * then fault rules: undefined to go on, a delay, or a status to answer after a delay.
 */
export function gateWithFault(
  ctx: NodeContext,
  rpc: RpcName,
  metadata: Metadata,
  authorize?: () => [Permission, Resource],
): undefined | number | { error: RpcStatus; delayMs: number } {
  if (ctx.auth) {
    const who = ctx.auth.authenticate(metadata);
    if (who instanceof RpcStatus) return { error: who, delayMs: 0 };
    if (authorize) {
      let denied: string | undefined;
      try {
        const [permission, resource] = authorize();
        denied = ctx.state.rbac.authorize(who, resource, permission);
      } catch (err) {
        return { error: toStatus(err), delayMs: 0 };
      }
      if (denied !== undefined) return { error: permissionDenied(denied), delayMs: 0 };
    }
  }
  if (!ctx.faults.armed) return undefined;
  const { error, delayMs } = ctx.faults.take(rpc, ctx.index);
  if (error) return { error, delayMs };
  return delayMs > 0 ? delayMs : undefined;
}
