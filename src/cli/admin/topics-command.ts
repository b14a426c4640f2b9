// `danube-connect topics ...`: topics through the broker's admin API.
import type { TopicDescription, TopicSummary } from '../../admin/index.js';
import { choiceFlag, intFlag, runGroup, table, type Subcommand } from './admin-cli.js';

const DISPATCH = ['reliable', 'non-reliable'] as const;

const describeText = (d: TopicDescription): string =>
  [
    `topic          ${d.name}`,
    `broker         ${d.brokerId || '(not assigned: unknown topic?)'}`,
    `dispatch       ${d.dispatch}`,
    `subscriptions  ${d.subscriptions.join(', ') || '(none)'}`,
    ...(d.schemaSubject ? [`schema         ${d.schemaSubject} v${d.schemaVersion ?? '?'} (${d.schemaType ?? '?'}, ${d.compatibilityMode ?? '?'})`] : []),
    '',
  ].join('\n');

export const TOPIC_COMMANDS: Record<string, Subcommand> = {
  list: {
    usage: 'NAMESPACE | --broker ID',
    summary: 'topics of a namespace (or of one broker), with their broker and dispatch',
    args: [],
    optional: ['NAMESPACE'],
    options: { broker: { type: 'string' } },
    async run(admin, args, values) {
      if (values.broker) return admin.topics.listOnBroker(values.broker as string);
      if (args.length !== 1) throw new Error('give a NAMESPACE or --broker ID');
      return admin.topics.list(args[0]!);
    },
    text: (rows: TopicSummary[]) => table(rows as never, ['name', 'brokerId', 'dispatch']),
  },
  create: {
    usage: 'TOPIC [--partitions N] [--dispatch reliable|non-reliable] [--schema-subject S]',
    summary: 'create a topic, or N partitions TOPIC-part-0..N-1',
    args: ['TOPIC'],
    options: { partitions: { type: 'string' }, dispatch: { type: 'string' }, 'schema-subject': { type: 'string' } },
    async run(admin, [topic], values) {
      const partitions = intFlag(values, 'partitions');
      if (partitions !== undefined && partitions < 1) throw new Error(`--partitions must be at least 1, got ${partitions}`);
      const dispatch = choiceFlag(values, 'dispatch', DISPATCH) ?? 'non-reliable';
      const schemaSubject = values['schema-subject'] as string | undefined;
      await admin.topics.create(topic!, { dispatch, ...(partitions ? { partitions } : {}), ...(schemaSubject ? { schemaSubject } : {}) });
      return { topic, partitions: partitions ?? 0, dispatch };
    },
    text: (r: { topic: string; partitions: number; dispatch: string }) =>
      `created ${r.topic}${r.partitions ? ` with ${r.partitions} partitions` : ''} (${r.dispatch})\n`,
  },
  describe: {
    usage: 'TOPIC',
    summary: 'broker, dispatch, subscriptions and schema of a topic',
    args: ['TOPIC'],
    run: (admin, [topic]) => admin.topics.describe(topic!),
    text: describeText,
  },
  delete: {
    usage: 'TOPIC',
    summary: 'delete a topic (a partitioned one by its base name) with its messages and subscriptions',
    args: ['TOPIC'],
    async run(admin, [topic]) {
      await admin.topics.delete(topic!);
      return { deleted: topic };
    },
    text: (r: { deleted: string }) => `deleted ${r.deleted}\n`,
  },
  unload: {
    usage: 'TOPIC',
    summary: 'unload a topic from its broker; the cluster moves it to another one and clients follow',
    args: ['TOPIC'],
    async run(admin, [topic]) {
      const before = (await admin.topics.describe(topic!)).brokerId;
      await admin.topics.unload(topic!);
      const after = (await admin.topics.describe(topic!)).brokerId;
      return { topic, from: before, to: after };
    },
    text: (r: { topic: string; from: string; to: string }) =>
      `unloaded ${r.topic} from broker ${r.from}${r.to && r.to !== r.from ? `; now on broker ${r.to}` : ''}\n`,
  },
};

export const runTopics = (args: string[]): Promise<number> => runGroup('topics', TOPIC_COMMANDS, args);
