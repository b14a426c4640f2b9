import { Server, ServerCredentials } from '@grpc/grpc-js';
import { BrokerError } from './errors.js';

/** How long a stop lets calls finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 500;

export type TlsFiles = { cert: string | Buffer; key: string | Buffer };

/** A server with tonic's default limits: 4 MiB decoded messages (bigger is RESOURCE_EXHAUSTED). */
export function newServer(): Server {
  return new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
}

/** Binds `host:port` (0 = any free port) and returns the port. */
export function listen(server: Server, host: string, port: number, tls: TlsFiles | undefined): Promise<number> {
  const creds = tls
    ? ServerCredentials.createSsl(null, [{ cert_chain: toBuffer(tls.cert), private_key: toBuffer(tls.key) }], false)
    : ServerCredentials.createInsecure();
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise<number>((resolve, reject) => {
    server.bindAsync(address, creds, (err, bound) => {
      if (err) reject(new BrokerError(`cannot listen on ${host}:${port}: ${err.message}`, { cause: err }));
      else resolve(bound);
    });
  });
}

/** Lets calls finish for a moment, then cuts what is left. */
export function shutdown(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function toBuffer(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v) : v;
}
