// Provisioning: every topic and relay subscription the bindings name exists, with its settings,
// before any source publishes. A reliable subscription starts at the latest message, so a
// record published before it exists is never delivered to it; creating the subscriptions first
// is what makes "every record published after provisioning reaches the sink" true. The same holds
// for the dead-letter tooling's inspection subscription on every dead-letter topic.
import * as z from 'zod';
import { AdminError, type DanubeAdmin, type Dispatch, type TopicSummary } from '../admin/index.js';
import { FatalError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { parseWithSchema } from '../core/options.js';
import { sleep } from '../core/retry.js';
import { fixedConsumerName } from '../relay/consumer-name.js';
import type { BindingConfig } from '../relay/config-schema.js';
import { ensureInspectionSubscription, INSPECTION_SUBSCRIPTION } from '../dlq/inspection.js';

/** What provisioning needs from a Danube client: subscribe once (and leave). */
export interface ProvisionClient {
  subscribe(options: {
    topic: string;
    subscription: string;
    consumerName: string;
    type: BindingConfig['subscription']['type'];
    keyFilters?: string[];
    dispatch: Dispatch;
  }): Promise<{ close(): Promise<void> }>;
}

export interface ProvisionOptions {
  /** Attempts of each admin call that fails as unreachable (a broker still starting). */
  attempts?: number;
  /** Wait between those attempts. */
  retryDelayMs?: number;
  /** Dead-letter topics to provision besides the bindings' (e.g. the sources'). */
  deadLetterTopics?: string[];
}

export const DEFAULT_PROVISION_OPTIONS = Object.freeze({ attempts: 5, retryDelayMs: 1_000 });

const OptionsSchema = z.strictObject({
  attempts: z.number().int().min(1).max(60).default(DEFAULT_PROVISION_OPTIONS.attempts),
  retryDelayMs: z.number().int().min(0).max(60_000).default(DEFAULT_PROVISION_OPTIONS.retryDelayMs),
  deadLetterTopics: z.array(z.string().min(1)).optional(),
});

/** Fills defaults; an unknown or invalid key throws a ConfigError naming it. */
export function parseProvisionOptions(
  options: ProvisionOptions = {},
): Required<Omit<ProvisionOptions, 'deadLetterTopics'>> & Pick<ProvisionOptions, 'deadLetterTopics'> {
  return parseWithSchema(OptionsSchema, options, 'provision options');
}

/** Provisioning could not finish; the message names the binding or topic and what the broker said. */
export class ProvisionError extends FatalError {
  override readonly name: string = 'ProvisionError';
}

export interface ProvisionedSubscription {
  binding: string;
  subscription: string;
  /** False when it existed already on every partition. */
  created: boolean;
  /** Set on reliable topics: the window and ack timeout the binding declares or needs. */
  maxUnackedMessages?: number;
  ackTimeoutMs?: number;
}

export interface ProvisionedTopic {
  topic: string;
  /** The topic itself, or its partitions. */
  partitions: string[];
  dispatch: Dispatch;
  created: boolean;
  subscriptions: ProvisionedSubscription[];
}

export interface ProvisionReport {
  topics: ProvisionedTopic[];
  /** Dead-letter topics created (reliable) because they did not exist. */
  deadLetterTopics: string[];
  /** Dead-letter topics whose inspection subscription (`danube-dlq-inspect`) was created. */
  inspectionSubscriptions: string[];
  /** What exists but differs from the bindings (kept as it is). */
  warnings: string[];
}

/** The real broker's admin port. */
export const DEFAULT_ADMIN_PORT = 50051;

/**
 * The admin URL of a broker known by its service URL: same scheme and host, the real broker's
 * admin port. A broker behind a proxy or on another port needs its admin URL given.
 *
 * @example
 * adminUrlFor('https://danube.internal:6650'); // 'https://danube.internal:50051'
 */
export function adminUrlFor(serviceUrl: string): string {
  const url = new URL(serviceUrl);
  return `${url.protocol}//${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}:${DEFAULT_ADMIN_PORT}`;
}

const namespaceOf = (topic: string): string => topic.split('/')[1] ?? '';
const partitionsOf = (topic: string, listed: TopicSummary[]): TopicSummary[] =>
  listed.filter((t) => t.name === topic || new RegExp(`^${topic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-part-\\d+$`).test(t.name));

/**
 * Creates what the bindings need, through the admin API (the embedded broker's or a real
 * one's), leaving what exists as it is:
 * 1. each topic, with the binding's `partitions` and dispatch strategy, and each dead-letter topic;
 * 2. on reliable topics, each subscription's unacked window and ack timeout, set before the
 *    subscription exists (a real broker reads them when it creates the subscription);
 * 3. each subscription, by subscribing once (with the consumer name the relay will use, when
 *    the subscription type binds it) and leaving.
 *
 * @example
 * const report = await provisionBindings(config.bindings, { admin, client, logger });
 * for (const w of report.warnings) logger.warn(w);
 */
export async function provisionBindings(
  bindings: readonly BindingConfig[],
  deps: { admin: DanubeAdmin; client: ProvisionClient; logger: Logger },
  options: ProvisionOptions = {},
): Promise<ProvisionReport> {
  const opts = parseProvisionOptions(options);
  const { admin, logger } = deps;
  const retrying = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const unreachable = err instanceof AdminError && err.name === 'AdminUnavailableError';
        if (!unreachable || attempt >= opts.attempts) throw new ProvisionError(`provisioning ${what}: ${(err as Error).message}`, { cause: err });
        await sleep(opts.retryDelayMs);
      }
    }
  };
  const listed = new Map<string, TopicSummary[]>();
  const list = async (ns: string, fresh = false): Promise<TopicSummary[]> => {
    if (fresh || !listed.has(ns)) listed.set(ns, await retrying(`namespace ${ns}`, () => admin.topics.list(ns)));
    return listed.get(ns)!;
  };
  const report: ProvisionReport = { topics: [], deadLetterTopics: [], inspectionSubscriptions: [], warnings: [] };

  const byTopic = new Map<string, BindingConfig[]>();
  for (const b of bindings) byTopic.set(b.topic, [...(byTopic.get(b.topic) ?? []), b]);

  for (const [topic, group] of byTopic) {
    const first = group[0]!;
    const dispatch = first.subscription.dispatch;
    const declared = first.partitions;
    let existing = partitionsOf(topic, await list(namespaceOf(topic)));
    let created = false;
    if (existing.length === 0) {
      await retrying(`topic ${topic}`, async () => {
        try {
          await admin.topics.create(topic, { dispatch, ...(declared ? { partitions: declared } : {}) });
          created = true;
        } catch (err) {
          // Created meanwhile by someone else (a producer, another provisioning run): use it.
          if (!(err instanceof AdminError && /already exists/.test(err.message))) throw err;
        }
      });
      existing = partitionsOf(topic, await list(namespaceOf(topic), true));
      if (created) logger.info({ topic, partitions: declared ?? 0, dispatch }, 'topic created');
    }
    const names = existing.map((t) => t.name).sort();
    const shape = (n: number) => (n ? `${n} partitions` : 'no partitions');
    const actual = names.length === 1 && names[0] === topic ? 0 : names.length;
    if (!created && actual !== (declared ?? 0)) {
      report.warnings.push(`topic ${topic} exists with ${shape(actual)}, binding "${first.name}" declares ${shape(declared ?? 0)}: kept as it is`);
    }
    if (existing.some((t) => t.dispatch !== dispatch)) {
      report.warnings.push(`topic ${topic} is ${existing[0]!.dispatch}, binding "${first.name}" expects ${dispatch}: kept as it is`);
    }
    const reliable = existing.every((t) => t.dispatch === 'reliable');
    const provisioned: ProvisionedTopic = { topic, partitions: names, dispatch: reliable ? 'reliable' : 'non-reliable', created, subscriptions: [] };

    for (const b of group) {
      const sub = b.subscription;
      const entry: ProvisionedSubscription = { binding: b.name, subscription: sub.name, created: false };
      if (reliable) {
        for (const name of names) {
          await retrying(`subscription ${sub.name} of ${name}`, async () => {
            await admin.subscriptions.setMaxUnacked(name, sub.name, sub.maxUnackedMessages);
            await admin.subscriptions.setFailurePolicy(name, sub.name, { ackTimeoutMs: sub.ackTimeoutMs });
          });
        }
        entry.maxUnackedMessages = sub.maxUnackedMessages;
        entry.ackTimeoutMs = sub.ackTimeoutMs;
      }
      const present = await Promise.all(names.map((n) => retrying(`subscriptions of ${n}`, () => admin.subscriptions.list(n))));
      if (present.some((subs) => !subs.includes(sub.name))) {
        try {
          const consumer = await deps.client.subscribe({
            topic,
            subscription: sub.name,
            // Exclusive and failover subscriptions stay with their first consumer name: the relay's.
            consumerName: fixedConsumerName(b) ?? `${b.name}-provision`,
            type: sub.type,
            ...(sub.keyFilters ? { keyFilters: sub.keyFilters } : {}),
            dispatch: sub.dispatch,
          });
          await consumer.close();
        } catch (err) {
          throw new ProvisionError(`provisioning subscription ${sub.name} of ${topic} (binding "${b.name}"): ${(err as Error).message}`, { cause: err });
        }
        entry.created = true;
        logger.info({ topic, subscription: sub.name, binding: b.name }, 'subscription created');
      }
      provisioned.subscriptions.push(entry);
    }
    report.topics.push(provisioned);
  }

  for (const dlq of new Set([...bindings.map((b) => b.deadLetterTopic), ...(opts.deadLetterTopics ?? [])].filter((t): t is string => t !== undefined))) {
    let existing = partitionsOf(dlq, await list(namespaceOf(dlq)));
    if (existing.length === 0) {
      await retrying(`dead-letter topic ${dlq}`, async () => {
        try {
          await admin.topics.create(dlq, { dispatch: 'reliable' });
          report.deadLetterTopics.push(dlq);
        } catch (err) {
          if (!(err instanceof AdminError && /already exists/.test(err.message))) throw err;
        }
      });
      existing = partitionsOf(dlq, await list(namespaceOf(dlq), true));
    }
    // The dead-letter tooling reads through a subscription of its own, which must exist before
    // the first record arrives (a new subscription starts at the latest message).
    if (existing.some((t) => t.dispatch !== 'reliable')) {
      report.warnings.push(`dead-letter topic ${dlq} is non-reliable: its records cannot be inspected or redriven (make it reliable)`);
      continue;
    }
    const names = existing.map((t) => t.name).sort();
    const created = await retrying(`inspection subscription of ${dlq}`, async () => {
      try {
        return await ensureInspectionSubscription(admin, deps.client, dlq, names);
      } catch (err) {
        if (err instanceof AdminError) throw err;
        throw new ProvisionError(`provisioning the inspection subscription of ${dlq}: ${(err as Error).message}`, { cause: err });
      }
    });
    if (created) {
      report.inspectionSubscriptions.push(dlq);
      logger.info({ topic: dlq, subscription: INSPECTION_SUBSCRIPTION }, 'inspection subscription created');
    }
  }
  for (const w of report.warnings) logger.warn(w);
  return report;
}
