import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { RpcStatus, unauthenticated } from './errors.js';
import type { Principal } from './rbac.js';

/** The real broker caches a validated token for 30 s, keyed by the raw header. */
const CACHE_MS = 30_000;
/** jsonwebtoken's default leeway on `exp`. */
const LEEWAY_S = 60;

/** Claims of a Danube token (`danube-core/src/jwt.rs`); all are required. */
export interface DanubeClaims {
  iss: string;
  exp: number;
  sub: string;
  principal_type: string;
  principal_name: string;
}

/** The real broker's mapping of `principal_type`: anything but user and broker_internal is a service account. */
function principalOf(claims: DanubeClaims): Principal {
  const type = claims.principal_type === 'user' || claims.principal_type === 'broker_internal' ? claims.principal_type : 'service_account';
  return { type, name: claims.principal_name };
}

/**
 * Checks `authorization: Bearer <jwt>` (HS256) on every call, with the real
 * broker's UNAUTHENTICATED messages, and tells who is calling.
 */
export class JwtAuthenticator {
  private readonly key: Buffer;
  private readonly cache = new Map<string, { until: number; principal: Principal }>();

  constructor(secret: string) {
    this.key = Buffer.from(secret, 'utf8');
  }

  /** The caller, or the status to answer. */
  authenticate(metadata: Metadata): Principal | RpcStatus {
    const values = metadata.get('authorization');
    if (values.length === 0) return unauthenticated('Authentication credentials are missing');
    const header = values[0];
    if (typeof header !== 'string') return unauthenticated('Authentication metadata is invalid');
    const now = Date.now();
    const cached = this.cache.get(header);
    if (cached !== undefined && cached.until > now) return cached.principal;
    const token = header.startsWith('Bearer ') ? header.slice(7) : header.startsWith('bearer ') ? header.slice(7) : undefined;
    const claims = token === undefined ? undefined : this.verify(token, now);
    if (claims === undefined) return unauthenticated('Invalid token');
    const principal = principalOf(claims);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(header, { until: now + CACHE_MS, principal });
    return principal;
  }

  private verify(token: string, now: number): DanubeClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [h, p, s] = parts as [string, string, string];
    try {
      const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
      if (header.alg !== 'HS256') return undefined;
      const expected = createHmac('sha256', this.key).update(`${h}.${p}`).digest();
      const given = Buffer.from(s, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Partial<DanubeClaims>;
      for (const k of ['iss', 'sub', 'principal_type', 'principal_name'] as const) {
        if (typeof claims[k] !== 'string') return undefined;
      }
      if (typeof claims.exp !== 'number') return undefined;
      return claims.exp + LEEWAY_S > now / 1000 ? (claims as DanubeClaims) : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * Mints an HS256 token the broker (and a real Danube broker with the same secret)
 * accepts — what `danube-admin security tokens create` does.
 *
 * @example
 * const token = signBrokerToken('secret', { sub: 'relay', ttlSeconds: 3600 });
 */
export function signBrokerToken(
  secret: string,
  claims: { sub: string; iss?: string; principalType?: string; principalName?: string; ttlSeconds?: number; exp?: number },
): string {
  const body: DanubeClaims = {
    iss: claims.iss ?? 'danube',
    exp: claims.exp ?? Math.floor(Date.now() / 1000) + (claims.ttlSeconds ?? 3600),
    sub: claims.sub,
    principal_type: claims.principalType ?? 'user',
    principal_name: claims.principalName ?? claims.sub,
  };
  const h = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256' })).toString('base64url');
  const p = Buffer.from(JSON.stringify(body)).toString('base64url');
  const s = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${s}`;
}
