// `danube-connect subscriptions ...`: subscriptions and their settings through the admin API.
import type { FailurePolicy } from '../../admin/index.js';
import { choiceFlag, intFlag, runGroup, table, type Subcommand } from './admin-cli.js';

const policyText = (r: { topic: string; subscription: string; policy?: FailurePolicy; type?: string; maxUnackedMessages?: number; partitions?: string[] }) => {
  const lines = [`${r.topic} ${r.subscription}${r.type ? ` (${r.type})` : ''}${r.partitions ? ` on ${r.partitions.length} partitions` : ''}`];
  if (r.maxUnackedMessages !== undefined) lines.push(`  maxUnackedMessages     ${r.maxUnackedMessages}`);
  if (r.policy) for (const [k, v] of Object.entries(r.policy)) lines.push(`  ${k.padEnd(22)} ${String(v)}`);
  if (!r.policy && r.maxUnackedMessages === undefined) lines.push('  (nothing set: broker defaults)');
  return `${lines.join('\n')}\n`;
};

export const SUBSCRIPTION_COMMANDS: Record<string, Subcommand> = {
  list: {
    usage: 'TOPIC',
    summary: 'subscriptions of a topic (a partition, for partitioned topics)',
    args: ['TOPIC'],
    run: async (admin, [topic]) => (await admin.subscriptions.list(topic!)).map((name) => ({ name })),
    text: (rows: Array<{ name: string }>) => table(rows, ['name']),
  },
  unsubscribe: {
    usage: 'TOPIC SUBSCRIPTION',
    summary: 'delete a subscription (refused while a consumer is attached)',
    args: ['TOPIC', 'SUBSCRIPTION'],
    async run(admin, [topic, subscription]) {
      await admin.subscriptions.unsubscribe(topic!, subscription!);
      return { topic, unsubscribed: subscription };
    },
    text: (r: { topic: string; unsubscribed: string }) => `deleted subscription ${r.unsubscribed} of ${r.topic}\n`,
  },
  get: {
    usage: 'TOPIC SUBSCRIPTION',
    summary: 'failure policy and unacked window set for a subscription',
    args: ['TOPIC', 'SUBSCRIPTION'],
    async run(admin, [topic, subscription]) {
      const [policy, max] = await Promise.all([
        admin.subscriptions.getFailurePolicy(topic!, subscription!),
        admin.subscriptions.getMaxUnacked(topic!, subscription!),
      ]);
      return {
        topic,
        subscription,
        ...(policy ? { type: policy.type, policy: policy.policy } : {}),
        ...(max !== undefined ? { maxUnackedMessages: max } : {}),
      };
    },
    text: policyText,
  },
  set: {
    usage:
      'TOPIC SUBSCRIPTION [--max-unacked N] [--ack-timeout-ms MS] [--max-redelivery-count N] [--base-redelivery-delay-ms MS] [--max-redelivery-delay-ms MS] [--backoff fixed|exponential] [--poison-policy block|drop|dead-letter] [--dead-letter-topic T]',
    summary: 'set the unacked window and failure policy of a reliable subscription (before or after it exists; every partition of a partitioned topic)',
    args: ['TOPIC', 'SUBSCRIPTION'],
    options: Object.fromEntries(
      [
        'max-unacked',
        'ack-timeout-ms',
        'max-redelivery-count',
        'base-redelivery-delay-ms',
        'max-redelivery-delay-ms',
        'backoff',
        'poison-policy',
        'dead-letter-topic',
      ].map((f) => [f, { type: 'string' as const }]),
    ),
    async run(admin, [topic, subscription], values) {
      const patch: Partial<FailurePolicy> = {};
      const num = (flag: string, key: 'ackTimeoutMs' | 'maxRedeliveryCount' | 'baseRedeliveryDelayMs' | 'maxRedeliveryDelayMs') => {
        const n = intFlag(values, flag);
        if (n !== undefined) {
          if (n < 0) throw new Error(`--${flag} must not be negative, got ${n}`);
          patch[key] = n;
        }
      };
      num('ack-timeout-ms', 'ackTimeoutMs');
      num('max-redelivery-count', 'maxRedeliveryCount');
      num('base-redelivery-delay-ms', 'baseRedeliveryDelayMs');
      num('max-redelivery-delay-ms', 'maxRedeliveryDelayMs');
      const backoff = choiceFlag(values, 'backoff', ['fixed', 'exponential'] as const);
      if (backoff) patch.backoff = backoff;
      const poison = choiceFlag(values, 'poison-policy', ['block', 'drop', 'dead-letter'] as const);
      if (poison) patch.poisonPolicy = poison;
      if (values['dead-letter-topic']) patch.deadLetterTopic = values['dead-letter-topic'] as string;
      const max = intFlag(values, 'max-unacked');
      if (max === undefined && Object.keys(patch).length === 0) throw new Error('nothing to set: give --max-unacked or a failure policy flag');
      // The broker keeps these per partition: a partitioned topic's base name sets every partition.
      const ns = topic!.split('/')[1] ?? '';
      const parts = (await admin.topics.list(ns)).map((t) => t.name).filter((n) => n.startsWith(`${topic}-part-`) && /-part-\d+$/.test(n));
      const targets = parts.length > 0 ? parts.sort() : [topic!];
      const out: Record<string, unknown> = { topic, subscription, ...(parts.length ? { partitions: targets } : {}) };
      for (const target of targets) {
        if (max !== undefined) await admin.subscriptions.setMaxUnacked(target, subscription!, max);
        if (Object.keys(patch).length) out.policy = await admin.subscriptions.setFailurePolicy(target, subscription!, patch);
      }
      if (max !== undefined) out.maxUnackedMessages = max;
      return out;
    },
    text: policyText,
  },
};

export const runSubscriptions = (args: string[]): Promise<number> => runGroup('subscriptions', SUBSCRIPTION_COMMANDS, args);
