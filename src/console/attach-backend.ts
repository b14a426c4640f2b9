// The console attached to a relay and a broker running elsewhere (`danube-connect console`): the
// relay's /status, the broker's admin API, the dead-letter topics of the relay's configuration,
// and the sources' checkpoints in their table.
import { DanubeAdmin } from '../admin/client.js';
import type { DynamoDbCheckpointStore } from '../checkpoint/dynamodb-store.js';
import { checkpointKey } from '../checkpoint/types.js';
import type { DanubeClient } from '../client/client.js';
import type { Logger } from '../core/logger.js';
import type { BindingStatus } from '../relay/binding-status.js';
import type { BindingConfig } from '../relay/config-schema.js';
import type { ConsoleBackend, DeadLetterOpener } from './backend.js';
import { storeCheckpointAccess } from './checkpoints.js';
import { bindingView } from './binding-view.js';
import { baseTopic } from './graph.js';
import { RateMeter } from './history.js';
import { redact, safeUrl } from './redact.js';
import { TAIL_SUBSCRIPTION, TopicTail } from './tail.js';
import { adminTopicAccess } from './topics.js';
import type { ConsoleBinding, ConsoleDeadLetterTopic, ConsoleSource } from './types.js';

export interface AttachConsoleBackendOptions {
  /** The relay's endpoints (`http://relay:9090`): its /status feeds the bindings. */
  relayUrl?: string;
  /** The relay's bindings, from its configuration: dead-letter topics and function names. */
  bindings?: readonly BindingConfig[];
  /** Dead-letter topics to show besides those of `bindings`. */
  deadLetterTopics?: readonly string[];
  /** The broker's client, for dead letters and following topics (the caller closes it). */
  client?: DanubeClient;
  /** The broker's admin API. */
  adminUrl?: string;
  adminToken?: string;
  /** Where the broker is, to show (credentials are removed). */
  serviceUrl?: string;
  /** Follow the bindings' topics for peek (a subscription per topic, removed at close). */
  follow?: boolean;
  /** Sources whose checkpoints to show, and how to reach their table. */
  checkpoints?: { service: string; sources: readonly string[]; open: () => DynamoDbCheckpointStore };
  deadLetters?: DeadLetterOpener;
  /** How long a read of the relay's /status may take. */
  timeoutMs?: number;
  logger: Logger;
}

/**
 * A console backend on a relay and broker elsewhere.
 *
 * @example
 * const backend = await attachConsoleBackend({ relayUrl: 'http://relay:9090', adminUrl: 'http://danube:50051', logger });
 */
export async function attachConsoleBackend(options: AttachConsoleBackendOptions): Promise<ConsoleBackend> {
  const admin = options.adminUrl ? new DanubeAdmin({ adminUrl: options.adminUrl, ...(options.adminToken ? { token: options.adminToken } : {}) }) : undefined;
  const config = new Map((options.bindings ?? []).map((b) => [b.name, b]));
  const rates = new RateMeter();
  const dlqTopics = [
    ...new Set([...(options.bindings ?? []).flatMap((b) => (b.deadLetterTopic ? [b.deadLetterTopic] : [])), ...(options.deadLetterTopics ?? [])]),
  ];
  const roles = new Map<string, string[]>();
  for (const b of options.bindings ?? []) {
    roles.set(baseTopic(b.topic), [...(roles.get(baseTopic(b.topic)) ?? []), `binding ${b.name} reads (${b.subscription.name})`]);
    if (b.deadLetterTopic) roles.set(b.deadLetterTopic, [...(roles.get(b.deadLetterTopic) ?? []), `dead letters of binding ${b.name}`]);
  }
  let relayBindings: BindingStatus[] = [];
  const tail =
    options.follow && options.client
      ? await TopicTail.start(
          options.client,
          (options.bindings ?? []).map((b) => ({ topic: b.topic, dispatch: b.subscription.dispatch })),
          {
            keep: 50,
            logger: options.logger,
            ...(admin
              ? {
                  forget: async (topic: string) => {
                    const partitions = (await admin.topics.list(topic.split('/')[1]!)).map((t) => t.name).filter((n) => baseTopic(n) === topic);
                    for (const p of partitions) await admin.subscriptions.unsubscribe(p, TAIL_SUBSCRIPTION).catch(() => undefined);
                  },
                }
              : {}),
          },
        )
      : undefined;

  const readRelay = async (): Promise<string | undefined> => {
    if (!options.relayUrl) return undefined;
    try {
      const res = await fetch(`${options.relayUrl.replace(/\/$/, '')}/status`, { signal: AbortSignal.timeout(options.timeoutMs ?? 3000) });
      if (!res.ok) return `relay ${safeUrl(options.relayUrl)}: /status answered ${res.status}`;
      relayBindings = ((await res.json()) as { bindings: BindingStatus[] }).bindings;
      return undefined;
    } catch (err) {
      return redact(`relay ${safeUrl(options.relayUrl)} cannot be read: ${(err as Error).message}`);
    }
  };

  return {
    mode: 'attach',
    async snapshot() {
      const problem = await readRelay();
      const now = Date.now();
      const bindings: ConsoleBinding[] = relayBindings.map((b) => {
        const c = config.get(b.name);
        const fn = c?.function;
        return bindingView(
          b,
          {
            // Only a name: an HTTP function's URL may carry credentials, and its secret never leaves the relay.
            function: {
              kind: b.function,
              name: fn?.type === 'lambda' ? fn.name : fn?.type === 'local' ? fn.module : fn?.type === 'http' ? safeUrl(fn.url) : b.name,
            },
            state: problem ? 'unknown' : b.state,
            backlog: b.buffered + b.inFlightRecords,
            deadLetterTopic: c?.deadLetterTopic,
          },
          rates,
          now,
        );
      });
      const sources: ConsoleSource[] = (options.checkpoints?.sources ?? []).map((name) => ({
        function: name,
        source: name,
        schedules: [],
        running: false,
        runs: 0,
        records: 0,
        deadLettered: 0,
        errors: 0,
        recentRuns: [],
      }));
      const deadLetterTopics: ConsoleDeadLetterTopic[] = dlqTopics.map((topic) => ({ topic }));
      return {
        at: now,
        ...(options.serviceUrl ? { broker: safeUrl(options.serviceUrl) } : {}),
        ...(options.relayUrl ? { relay: safeUrl(options.relayUrl) } : {}),
        problems: problem ? [problem] : [],
        sources,
        bindings,
        disabled: (options.bindings ?? [])
          .filter((b) => !b.enabled)
          .map((b) => ({ name: b.name, kind: 'binding' as const, reason: 'enabled: false in the relay configuration' })),
        deadLetterTopics,
      };
    },
    ...(options.checkpoints
      ? {
          checkpoints: storeCheckpointAccess(options.checkpoints.open, (name) =>
            options.checkpoints!.sources.includes(name) ? checkpointKey({ service: options.checkpoints!.service, source: name }) : undefined,
          ),
        }
      : {}),
    ...(admin
      ? {
          topics: adminTopicAccess({
            admin,
            ...(tail ? { tail } : {}),
            roles: () => roles,
            relayBacklog: (topic, subscription) => {
              const b = relayBindings.find((x) => baseTopic(x.topic) === topic && x.subscription === subscription);
              return b && b.buffered + b.inFlightRecords;
            },
          }),
        }
      : {}),
    ...(options.deadLetters ? { deadLetters: options.deadLetters } : {}),
    async close() {
      await tail?.close();
      admin?.close();
    },
  };
}
