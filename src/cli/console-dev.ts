// The web console of `danube-connect dev`: started by the pipeline's hook before the sources run,
// announced with its token on the terminal, closed before the pipeline.
import type { Logger } from '../core/logger.js';
import type { DevPipeline } from '../dev/pipeline.js';
import type { ConsoleServer } from '../console/server.js';

export interface DevConsoleHandle {
  /** The pipeline hook; a console that cannot start is reported, and the pipeline runs on. */
  start(pipeline: DevPipeline): Promise<void>;
  /** What the terminal says about the console (empty when it is off). */
  banner(): string;
  close(): Promise<void>;
}

export function startConsoleForDev(options: { enabled: boolean; port: number | undefined; logger: Logger }): DevConsoleHandle {
  let server: ConsoleServer | undefined;
  let failure: string | undefined;
  return {
    async start(pipeline) {
      if (!options.enabled) return;
      try {
        const { startDevConsole } = await import('../console/dev-console.js');
        const adminToken = process.env.DANUBE_ADMIN_TOKEN ?? process.env.DANUBE_TOKEN;
        server = await startDevConsole(pipeline, {
          logger: options.logger.child({ part: 'console' }),
          ...(options.port !== undefined ? { port: options.port } : {}),
          ...(adminToken ? { adminToken } : {}),
        });
      } catch (err) {
        failure = (err as Error)?.message ?? String(err);
        options.logger.warn({ err: failure }, 'console not started');
      }
    },
    banner() {
      if (server) {
        return (
          `danube-connect dev: console ${server.url}/#token=${server.token}\n` +
          `danube-connect dev: console actions (run now, checkpoint set/reset, redrive) need the token ${server.token}\n`
        );
      }
      return failure ? `danube-connect dev: console not started: ${failure}\n` : '';
    },
    async close() {
      await server?.close();
    },
  };
}
