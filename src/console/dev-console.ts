import type { Logger } from '../core/logger.js';
import type { DevPipeline } from '../dev/pipeline.js';
import { openDeadLetterTopic } from '../dlq/topic.js';
import type { DeadLetterOpener } from './backend.js';
import { devConsoleBackend } from './dev-backend.js';
import { startConsoleServer, type ConsoleServer } from './server.js';

export interface DevConsoleOptions {
  /** Default 7650; any free port when that one is taken; 0 = any free port. */
  port?: number;
  adminToken?: string;
  /** Default: the dead-letter tooling on the pipeline's client. */
  deadLetters?: DeadLetterOpener;
  logger: Logger;
}

/**
 * The console of `npm start` on 127.0.0.1, with a new token for actions.
 *
 * @example
 * const console = await startDevConsole(pipeline, { logger });
 * process.stdout.write(`console ${console.url}/#token=${console.token}\n`);
 */
export async function startDevConsole(pipeline: DevPipeline, options: DevConsoleOptions): Promise<ConsoleServer> {
  const backend = await devConsoleBackend(pipeline, {
    logger: options.logger,
    ...(options.adminToken ? { adminToken: options.adminToken } : {}),
    deadLetters: options.deadLetters ?? ((topic) => openDeadLetterTopic(topic, { client: pipeline.parts.client, logger: options.logger })),
  });
  const port = options.port ?? 7650;
  try {
    return await startConsoleServer(backend, { port }, options.logger);
  } catch (err) {
    if (port !== 0 && /EADDRINUSE/.test(String((err as Error)?.message ?? err))) {
      options.logger.warn({ port }, 'console port in use; taking any free port');
      try {
        return await startConsoleServer(backend, { port: 0 }, options.logger);
      } catch (again) {
        await backend.close();
        throw again;
      }
    }
    await backend.close();
    throw err;
  }
}
