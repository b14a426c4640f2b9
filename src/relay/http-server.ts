import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RelayReadiness } from './binding-status.js';

export interface RelayHttpHandlers {
  /** The process is alive and its bindings are not stuck in a fatal state. */
  healthy(): boolean;
  /** Every enabled binding is subscribed and receiving, and the broker is reachable; otherwise who is not and why. */
  readiness(): RelayReadiness;
  /** The Prometheus text of `/metrics` and its content type. */
  metrics(): Promise<{ body: string; contentType: string }>;
  status(): unknown;
}

export interface RelayHttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `/healthz` (liveness), `/readyz` (readiness: subscribed and broker reachable; 503 while
 * not; the JSON body names each binding that is not ready and why), `/metrics` (Prometheus text
 * format) and `/status` (JSON of every binding).
 *
 * @example
 * const server = await startRelayHttpServer({ port: 9090, host: '0.0.0.0' }, handlers);
 */
export async function startRelayHttpServer(options: { port: number; host: string }, h: RelayHttpHandlers): Promise<RelayHttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
    try {
      switch (path) {
        case '/healthz':
          return h.healthy() ? send(200, 'text/plain', 'ok\n') : send(503, 'text/plain', 'unhealthy\n');
        case '/readyz': {
          const r = h.readiness();
          return send(r.ready ? 200 : 503, 'application/json', `${JSON.stringify(r)}\n`);
        }
        case '/metrics':
          void h.metrics().then(
            (m) => send(200, m.contentType, m.body),
            (err: Error) => send(500, 'text/plain', `${err.message}\n`),
          );
          return;
        case '/status':
          return send(200, 'application/json', `${JSON.stringify(h.status(), null, 2)}\n`);
        default:
          return send(404, 'text/plain', 'not found: try /healthz, /readyz, /metrics, /status\n');
      }
    } catch (err) {
      return send(500, 'text/plain', `${(err as Error).message}\n`);
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
