import { GRPC_STATUS } from '../core/grpc-status.js';
import type { NotReadyReason } from './binding-status.js';

/**
 * When the broker refuses the relay itself (no valid token, or RBAC denies it), a retry at once
 * changes nothing: it is retried slowly (a rotated token is picked up within a minute), logged
 * once with what to do, and `/readyz` names it. Undefined for any other error.
 *
 * @example
 * refusedBy(err)?.reason; // 'unauthenticated'
 */
export function refusedBy(err: unknown, what: string): { reason: NotReadyReason; message: string } | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const detail = (err as Error)?.message ?? String(err);
  if (code === GRPC_STATUS.UNAUTHENTICATED) {
    return {
      reason: 'unauthenticated',
      message:
        `the broker refused the relay's token (${what}: ${detail}). Set DANUBE_TOKEN (or DANUBE_TOKEN_SSM_PARAMETER / DANUBE_TOKEN_SECRET_ID) ` +
        'to a token the broker accepts; for a broker started with --jwt-secret S: `danube-connect token --secret S --sub relay`. Retrying every minute.',
    };
  }
  if (code === GRPC_STATUS.PERMISSION_DENIED && /binding|grant|permission|not authorized|unauthori[sz]ed/i.test(detail)) {
    return {
      reason: 'permission-denied',
      message:
        `the broker's access control refused the relay (${what}: ${detail}). Grant its principal Lookup and Consume on the topic and Consume at ` +
        'cluster scope (docs/admin.md#rbac). Retrying every minute.',
    };
  }
  return undefined;
}
