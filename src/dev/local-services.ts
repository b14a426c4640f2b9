// The stand-ins `npm start` runs when it is not pointed at real ones: the embedded broker and
// DynamoDB (dynalite), both on 127.0.0.1 with their data under the data folder.
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { startBroker, type Broker } from '../broker/index.js';
import type { Logger } from '../core/logger.js';
import { INSPECTION_SUBSCRIPTION } from '../dlq/inspection.js';
import type { DeadLetterView } from './dead-letter-watch.js';
import type { BindingView } from './status.js';

/** The embedded broker on `port`, or on any free port when that one is taken. */
export async function startLocalBroker(port: number, dataDir: string, logger: Logger): Promise<Broker> {
  try {
    return await startBroker({ port, dataDir, logger });
  } catch (err) {
    if (port !== 0 && /EADDRINUSE|in use/i.test(String((err as Error)?.message ?? err))) {
      logger.warn({ port }, 'broker port in use; taking any free port');
      return startBroker({ port: 0, dataDir, logger });
    }
    throw err;
  }
}

/** dynalite persisted under `path`, on an ephemeral 127.0.0.1 port. */
export async function startDynalite(path: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections?.();
      }),
  };
}

/**
 * With the embedded broker, lag is what the broker still holds for the subscription (unread and
 * unacked, all partitions), not only what the relay has read: the figure a user watches.
 */
export function withBrokerBacklog(views: BindingView[], broker: Broker | undefined): BindingView[] {
  if (!broker) return views;
  const topics = broker.admin.listTopics();
  return views.map((v) => {
    const names = topics.filter((t) => t === v.topic || t.startsWith(`${v.topic}-part-`));
    let backlog = 0;
    for (const name of names) {
      const sub = broker.admin.describeTopic(name)?.subscriptions.find((s) => s.name === v.subscription);
      backlog += sub?.backlog ?? 0;
    }
    return names.length ? { ...v, lag: Math.max(v.lag, backlog) } : v;
  });
}

/**
 * With the embedded broker, each dead-letter topic's records not yet redriven: the backlog of its
 * inspection subscription, all partitions. A real broker's admin API reports no backlog.
 */
export function withDeadLetterBacklog(views: DeadLetterView[], broker: Broker | undefined): DeadLetterView[] {
  if (!broker) return views;
  const topics = broker.admin.listTopics();
  return views.map((v) => {
    const names = topics.filter((t) => t === v.topic || t.startsWith(`${v.topic}-part-`));
    let backlog = 0;
    let found = false;
    for (const name of names) {
      const sub = broker.admin.describeTopic(name)?.subscriptions.find((s) => s.name === INSPECTION_SUBSCRIPTION);
      if (sub) found = true;
      backlog += sub?.backlog ?? 0;
    }
    return found ? { ...v, onTopic: backlog } : v;
  });
}

/** Steps that stop what was started, run in order (last started, first stopped); each failure is logged and the rest run. */
export class Cleanups {
  private readonly steps: Array<() => Promise<unknown>> = [];
  private done: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  add(step: () => Promise<unknown>): void {
    this.steps.unshift(step);
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of this.steps) {
        try {
          await step();
        } catch (err) {
          this.logger.warn({ err: (err as Error).message }, 'error while stopping');
        }
      }
    })();
    return this.done;
  }
}
