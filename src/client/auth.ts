import { Metadata } from '@grpc/grpc-js';

/** Header through which a proxy learns which broker a call is meant for (lookup said `proxy`). */
export const BROKER_URL_HEADER = 'x-danube-broker-url';

/**
 * Builds the metadata every call carries: `authorization: Bearer <jwt>` when a token is configured,
 * plus `x-danube-broker-url` for calls through a proxy. With a fixed token the metadata is built
 * once per broker and reused (grpc-js clones it per call); a token supplier is asked on every call.
 */
export class CallAuth {
  private readonly cache = new Map<string, Metadata>();

  constructor(
    private readonly token: string | undefined,
    private readonly supplier: (() => string | Promise<string>) | undefined,
  ) {}

  /** True when metadata must be built per call (a token supplier is configured). */
  get dynamic(): boolean {
    return this.supplier !== undefined;
  }

  /**
   * Metadata for one call. Synchronous (and cached) unless a token supplier is configured.
   * `proxyBrokerUrl` is the broker URL when the lookup answered `proxy = true`.
   */
  metadata(proxyBrokerUrl?: string): Metadata | Promise<Metadata> {
    if (this.supplier) {
      const supplied = this.supplier();
      return typeof supplied === 'string' ? build(supplied, proxyBrokerUrl) : supplied.then((t) => build(t, proxyBrokerUrl));
    }
    const key = proxyBrokerUrl ?? '';
    let cached = this.cache.get(key);
    if (!cached) {
      cached = build(this.token, proxyBrokerUrl);
      this.cache.set(key, cached);
    }
    return cached;
  }
}

function build(token: string | undefined, proxyBrokerUrl: string | undefined): Metadata {
  const metadata = new Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  if (proxyBrokerUrl) metadata.set(BROKER_URL_HEADER, proxyBrokerUrl);
  return metadata;
}
