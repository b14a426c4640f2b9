import { AdminError, type DanubeAdmin } from '../admin/index.js';
import { checkOptions, instanceRule, intRule, loggerRule, optional, required } from '../core/check-options.js';
import { ConfigError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { INSPECTION_SUBSCRIPTION } from './inspection.js';
import { DEFAULT_PREVIEW_BYTES } from './preview.js';
import { matchesFilter } from './record.js';
import { runRedrive } from './redrive.js';
import { openSession, type DeadLetterClient } from './session.js';
import type { DeadLetterFilter, DeadLetterRecord, DeadLetterSummary, DeadLetterTopic, RedriveOptions, RedriveSummary } from './types.js';

export interface OpenDeadLetterTopicOptions {
  /** A Danube client (`DanubeClient`), which the caller closes. */
  client: DeadLetterClient;
  /**
   * The broker's admin API: checks that the topic and its inspection subscription exist. Without
   * it, a missing inspection subscription is created by the first read, and shows only what is
   * dead-lettered from then on.
   */
  admin?: DanubeAdmin;
  /** A read ends once the broker handed over nothing for this long (default 1000 ms). */
  idleMs?: number;
  /** Payload bytes a preview shows (default 4096). */
  previewBytes?: number;
  logger?: Logger;
}

export const DEFAULT_DEAD_LETTER_IDLE_MS = 1_000;

const RULES = {
  client: required(instanceRule('a Danube client')),
  admin: optional(instanceRule('a DanubeAdmin')),
  idleMs: intRule(DEFAULT_DEAD_LETTER_IDLE_MS, 10, 600_000),
  previewBytes: intRule(DEFAULT_PREVIEW_BYTES, 16, 10_000_000),
  logger: loggerRule(),
};

/** The dead-letter topic or its inspection subscription does not exist. */
export class DeadLetterTopicError extends ConfigError {
  override readonly name: string = 'DeadLetterTopicError';
}

/**
 * Opens a dead-letter topic for inspection and redrive, through its inspection subscription
 * (`danube-dlq-inspect`, created by provisioning). Looking never consumes: records are read
 * without acks and given back when the read ends. A redrive acks what it sent, so a rerun after a
 * crash continues with the rest.
 *
 * @example
 * const dlq = await openDeadLetterTopic('/default/orders-dlq', { client, admin });
 * console.log(await dlq.summary());                              // counts by reason and origin
 * const records = await dlq.list({ reasons: ['retries-exhausted'] }, { limit: 20 });
 * await dlq.redrive({ reasons: ['retries-exhausted'] }, { ratePerSecond: 50 });
 * await dlq.close();
 */
export async function openDeadLetterTopic(topic: string, input: OpenDeadLetterTopicOptions): Promise<DeadLetterTopic> {
  const options = checkOptions(input, RULES, 'openDeadLetterTopic options');
  const client = input.client;
  const logger = input.logger ?? silentLogger;
  if (input.admin) await checkProvisioned(input.admin, topic, logger);
  const read = { idleMs: options.idleMs, previewBytes: options.previewBytes };

  /** Reads every record there is (up to the window), gives them all back, and returns those the filter selects. */
  const look = async (filter: DeadLetterFilter): Promise<DeadLetterRecord[]> => {
    const session = await openSession(client, topic, read);
    const out: DeadLetterRecord[] = [];
    try {
      for await (const { record } of session.records()) if (matchesFilter(record, filter)) out.push(record);
    } finally {
      await session.close();
    }
    return out.sort((a, b) => (a.topic === b.topic ? (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0) : a.topic < b.topic ? -1 : 1));
  };

  return {
    topic,
    async summary(filter: DeadLetterFilter = {}): Promise<DeadLetterSummary> {
      const records = await look(filter);
      const summary: DeadLetterSummary = { topic, total: records.length, byReason: {}, byOrigin: {} };
      for (const r of records) {
        const e = r.envelope;
        summary.byReason[e.reason] = (summary.byReason[e.reason] ?? 0) + 1;
        summary.byOrigin[e.origin] = (summary.byOrigin[e.origin] ?? 0) + 1;
        const at = e.lastFailureAt || r.publishTime;
        if (summary.oldest === undefined || at < summary.oldest) summary.oldest = at;
        if (summary.newest === undefined || at > summary.newest) summary.newest = at;
      }
      return summary;
    },
    async list(filter: DeadLetterFilter = {}, opts: { limit?: number } = {}): Promise<DeadLetterRecord[]> {
      const records = await look(filter);
      return opts.limit === undefined ? records : records.slice(0, Math.max(0, opts.limit));
    },
    async redrive(filter: DeadLetterFilter, opts: RedriveOptions = {}): Promise<RedriveSummary> {
      const session = await openSession(client, topic, read);
      try {
        return await runRedrive(session, filter, opts, { client, topic, logger });
      } finally {
        await session.close();
      }
    },
    async close(): Promise<void> {
      // Every read closes its own consumer; nothing stays open between calls.
    },
  };
}

/** The topic and, on each partition, its inspection subscription exist (an unreachable admin API is only warned about). */
async function checkProvisioned(admin: DanubeAdmin, topic: string, logger: Logger): Promise<void> {
  const namespace = topic.split('/')[1] ?? '';
  let partitions: string[];
  try {
    const listed = await admin.topics.list(namespace);
    partitions = listed.map((t) => t.name).filter((n) => n === topic || (n.startsWith(`${topic}-part-`) && /^\d+$/.test(n.slice(topic.length + 6))));
  } catch (err) {
    if (err instanceof AdminError && err.name === 'AdminUnavailableError') {
      logger.warn({ topic, err: err.message }, 'admin API unreachable: the inspection subscription is not checked');
      return;
    }
    throw err;
  }
  if (partitions.length === 0) throw new DeadLetterTopicError(`dead-letter topic ${topic} does not exist`, ['topic']);
  for (const p of partitions) {
    const subs = await admin.subscriptions.list(p);
    if (!subs.includes(INSPECTION_SUBSCRIPTION)) {
      throw new DeadLetterTopicError(
        `${p} has no inspection subscription "${INSPECTION_SUBSCRIPTION}": provisioning creates it (npm start, danube-connect provision, the deploy); ` +
          '`danube-connect dlq init` creates it by hand. Records dead-lettered before it exists cannot be read through it.',
        ['topic'],
      );
    }
  }
}
